package dev.adnet.compiler.parse;

import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostic;
import dev.adnet.compiler.source.SourceFile;
import dev.adnet.compiler.source.Span;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Turns a file's bytes into text, refusing what is not an adnet source: more than {@link #MAX_BYTES}, invalid
 * UTF-8, or binary content. A UTF-8 byte-order mark is accepted and dropped.
 */
final class SourceDecoder {
    /** Generous for hand-written networks (a 2,000-layer file is about 100 KB) and bounds compile time. */
    static final int MAX_BYTES = 4 * 1024 * 1024;

    private SourceDecoder() {}

    /** The decoded file, or the diagnostic that says why there is none. */
    static Result decode(String name, byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            return Result.error(Diagnostic.error(Code.FILE_TOO_LARGE, Span.of(name, 1, 1, 1),
                    "file is " + bytes.length + " bytes; the limit is " + MAX_BYTES + " bytes (4 MiB)"));
        }
        int start = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            start = 3;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult cr = decoder.decode(in, out, true);
        if (cr.isError()) {
            int badOffset = in.position();
            out.flip();
            return Result.error(Diagnostic.error(Code.INVALID_UTF8, position(name, out.toString()),
                    String.format("invalid UTF-8 byte 0x%02X at byte offset %d; adnet sources are UTF-8 text",
                            bytes[badOffset] & 0xff, badOffset)));
        }
        try {
            cr = decoder.flush(out);
            if (cr.isError()) {
                cr.throwException();
            }
        } catch (CharacterCodingException e) {
            return Result.error(Diagnostic.error(Code.INVALID_UTF8, Span.of(name, 1, 1, 1), "invalid UTF-8 at end of file"));
        }
        out.flip();
        String text = out.toString();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0 || (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t' && c != '\f')) {
                return Result.error(Diagnostic.error(Code.BINARY_CONTENT, position(name, text.substring(0, i)),
                        String.format("control character U+%04X: this looks like a binary file, not adnet source", (int) c)));
            }
        }
        return new Result(Optional.of(new SourceFile(name, text)), Optional.empty());
    }

    /** The span of the character just after {@code prefix}. */
    private static Span position(String name, String prefix) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < prefix.length(); i++) {
            if (prefix.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return Span.of(name, line, col, 1);
    }

    record Result(Optional<SourceFile> source, Optional<Diagnostic> error) {
        static Result error(Diagnostic d) {
            return new Result(Optional.empty(), Optional.of(d));
        }
    }
}
