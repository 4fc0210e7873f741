package dev.adnet.runtime.data;

/** A data file is missing or malformed; the message names the file and what is wrong. */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
