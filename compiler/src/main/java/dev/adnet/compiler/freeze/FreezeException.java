package dev.adnet.compiler.freeze;

/** A network that cannot be frozen, or a checkpoint that does not fit it; the message says which and why. */
public final class FreezeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FreezeException(String message) {
        super(message);
    }
}
