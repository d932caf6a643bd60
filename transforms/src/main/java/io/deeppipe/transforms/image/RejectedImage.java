package io.deeppipe.transforms.image;

/** Why one image file cannot be used; becomes its row in {@code rejected/}. */
public final class RejectedImage extends Exception {
  public static final String ZERO_BYTES = "zero_bytes";
  public static final String UNREADABLE = "unreadable";
  public static final String MISSING_FILE = "missing_file";
  public static final String MISSING_LABEL = "missing_label";
  public static final String MALFORMED_MANIFEST = "malformed_manifest";
  public static final String NOT_AN_IMAGE = "not_an_image";
  public static final String UNSUPPORTED_FORMAT = "unsupported_format";
  public static final String TRUNCATED = "truncated";
  public static final String CORRUPT = "corrupt";
  public static final String TOO_MANY_PIXELS = "too_many_pixels";

  private final String reason;

  public RejectedImage(String reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
