package dev.adnet.compiler.diag;

/**
 * Stable diagnostic codes. Codes are never renumbered or reused: tools and users search for them.
 *
 * <p>Ranges: 0xx input and lexical, 1xx syntax, 2xx names and declarations, 3xx types and shapes, 4xx the
 * train section, 5xx adaptive-construct rules, 9xx limits of this compiler.
 */
public enum Code {
    SOURCE_UNREADABLE("ADN001"),
    INVALID_UTF8("ADN002"),
    BINARY_CONTENT("ADN003"),
    FILE_TOO_LARGE("ADN004"),
    NESTING_TOO_DEEP("ADN005"),
    UNTERMINATED_COMMENT("ADN010"),
    UNTERMINATED_STRING("ADN011"),
    UNEXPECTED_CHARACTER("ADN012"),
    INVALID_NUMBER("ADN013"),

    SYNTAX_ERROR("ADN100"),
    EMPTY_FILE("ADN101"),

    DUPLICATE_NAME("ADN200"),
    UNKNOWN_NAME("ADN201"),
    UNKNOWN_LAYER("ADN202"),
    UNKNOWN_ARGUMENT("ADN203"),
    MISSING_ARGUMENT("ADN204"),
    TOO_MANY_ARGUMENTS("ADN205"),
    DUPLICATE_ARGUMENT("ADN206"),
    RECURSIVE_BLOCK("ADN207"),
    IMPORT_NOT_FOUND("ADN208"),
    IMPORT_NAME_NOT_FOUND("ADN209"),
    OUTPUT_NOT_ASSIGNED("ADN210"),
    NO_INPUT("ADN211"),
    ASSIGN_TO_DECLARED("ADN212"),
    UNKNOWN_TYPE("ADN213"),
    POSITIONAL_AFTER_NAMED("ADN214"),
    IMPORT_CYCLE("ADN215"),
    MISPLACED_STATEMENT("ADN216"),
    NO_OUTPUT("ADN217"),

    TYPE_MISMATCH("ADN300"),
    SHAPE_MISMATCH("ADN301"),
    RANK_MISMATCH("ADN302"),
    INVALID_VALUE("ADN303"),
    OUTPUT_SHAPE_MISMATCH("ADN304"),
    NOT_A_STAGE("ADN305"),
    NOT_A_TENSOR("ADN306"),
    INPUT_TOO_SMALL("ADN307"),
    INVALID_SHAPE("ADN308"),
    WRONG_INPUT_COUNT("ADN309"),

    UNKNOWN_SETTING("ADN400"),
    DUPLICATE_SETTING("ADN401"),
    INVALID_SETTING("ADN402"),
    UNKNOWN_LOSS_TERM("ADN403"),
    LOSS_TARGET("ADN404"),
    MISSING_LOSS("ADN405"),
    DUPLICATE_TRAIN_SECTION("ADN406"),

    NOT_SUPPORTED_YET("ADN900"),
    TOO_LARGE("ADN901"),
    /** A value with more elements per sample than the runtime can index (see {@code ir/Counts}). */
    TENSOR_TOO_LARGE("ADN902"),
    /** A parameter tensor with more elements than the runtime can index. */
    PARAMETER_TOO_LARGE("ADN903"),
    /** FLOPs per sample that do not fit a long. */
    FLOPS_TOO_LARGE("ADN904"),
    /** Compile-time integer arithmetic beyond the integers a number holds exactly. */
    INTEGER_OVERFLOW("ADN905"),
    INTERNAL_ERROR("ADN999");

    private final String id;

    Code(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
