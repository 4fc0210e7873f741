package dev.adnet.compiler.ir;

/** How a state value starts: every element 0 or every element 1, the same for each sample. */
public enum StateInit {
    ZEROS,
    ONES
}
