package dev.adnet.runtime.data;

/** The element types a data array may hold, named as NumPy's little-endian type codes. */
public enum ElementType {
    U1("u1", 1, true),
    I4("i4", 4, true),
    I8("i8", 8, true),
    F4("f4", 4, false),
    F8("f8", 8, false);

    private final String code;
    private final int width;
    private final boolean integer;

    ElementType(String code, int width, boolean integer) {
        this.code = code;
        this.width = width;
        this.integer = integer;
    }

    /** NumPy's type code without the byte order, e.g. {@code f4}. */
    public String code() {
        return code;
    }

    /** Bytes per element. */
    public int width() {
        return width;
    }

    /** Whether the values are integers (class indices may only come from these). */
    public boolean isInteger() {
        return integer;
    }

    /**
     * The divisor applied before normalisation: unsigned bytes are pixels, brought to [0, 1] as image data is; every
     * other type is taken as it is.
     */
    public double divisor() {
        return this == U1 ? 255.0 : 1.0;
    }

    /** The type of a NumPy type code such as {@code u1} or {@code f4}, or null. */
    public static ElementType ofCode(String code) {
        for (ElementType t : values()) {
            if (t.code.equals(code)) {
                return t;
            }
        }
        return null;
    }
}
