package io.deeppipe.transforms.card;

/**
 * The user's input (a path, a card, a file's content as a whole) cannot be used. Jobs map it to
 * exit code 2; the message names the input and what is wrong with it.
 */
public class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
