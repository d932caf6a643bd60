package io.deeppipe.jobs;

/** Bad usage: an option value, a config key or a combination. Exit code 2. */
public class UsageException extends IllegalArgumentException {
  public UsageException(String message) {
    super(message);
  }
}
