package dev.adnet.runtime.train;

/** Training cannot go on, for example because the loss or a gradient is not finite. */
public class TrainingException extends RuntimeException {
    public TrainingException(String message) {
        super(message);
    }

    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
