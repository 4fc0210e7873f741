package dev.adnet.runtime.checkpoint;

/** A checkpoint cannot be written, read, or does not fit the network; the message says which and why. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
