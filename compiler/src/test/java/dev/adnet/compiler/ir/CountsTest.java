package dev.adnet.compiler.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CountsTest {
    @Test
    void productIsExactUpToTheLargestLong() {
        assertThat(Counts.product()).isEqualTo(1);
        assertThat(Counts.product(16, 28, 28)).isEqualTo(12_544);
        assertThat(Counts.product(7, 7, 73, 127, 337, 92737, 649657)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void productThrowsInsteadOfWrapping() {
        // 2 * 2^62 wraps to Long.MIN_VALUE in plain arithmetic
        assertThatThrownBy(() -> Counts.product(2, 1L << 62)).isInstanceOf(ArithmeticException.class);
        // the FLOPs of a 31x31 convolution, 4096 to 4096 channels on 100000x100000: plain arithmetic wraps them to
        // 8,863,442,266,937,622,528, a positive, plausible-looking number
        assertThatThrownBy(() -> Counts.product(2, 4096, 100_000, 100_000, 4096, 31, 31))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void fitsAtTheLimitAndNotOneBeyond() {
        assertThat(Counts.fits(new long[] {Integer.MAX_VALUE})).isTrue();
        assertThat(Counts.fits(new long[] {1L << 31})).isFalse();
        assertThat(Counts.fits(new long[] {2047, 1024, 1024})).isTrue();
        assertThat(Counts.fits(new long[] {2048, 1024, 1024})).isFalse();
        assertThat(Counts.fits(new long[] {})).isTrue();
    }

    /** Dimensions whose product wraps to a small or negative long are still too large. */
    @Test
    void fitsNeverOverflows() {
        assertThat(Counts.fits(new long[] {1L << 32, 1L << 32})).isFalse(); // wraps to 0
        assertThat(Counts.fits(new long[] {1L << 31, 1L << 31, 1L << 31})).isFalse(); // wraps to 0
        assertThat(Counts.fits(new long[] {Long.MAX_VALUE, 3})).isFalse(); // wraps to a positive number
        assertThat(Counts.fits(new long[] {65536, 65536, 3, 3})).isFalse();
    }

    @Test
    void elementsTextIsExactBeyondALong() {
        assertThat(Counts.elementsText(new long[] {1L << 31, 1L << 31, 1L << 31})).isEqualTo("9,903,520,314,283,042,199,192,993,792");
        assertThat(Counts.text(Integer.MAX_VALUE)).isEqualTo("2,147,483,647");
    }
}
