package dev.adnet.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Java kernels' thread count: the property, else the processors, else one under spinning OpenMP workers. */
class JavaThreadsTest {
    @Test
    void thePropertyWinsWithinOneToEight() {
        assertThat(JavaThreads.count("3", "ACTIVE", 2)).isEqualTo(3);
        assertThat(JavaThreads.count(" 2 ", null, 16)).isEqualTo(2);
        assertThat(JavaThreads.count("0", null, 4)).isEqualTo(1);
        assertThat(JavaThreads.count("64", null, 4)).isEqualTo(8);
    }

    @Test
    void withoutItTheProcessorsAtMostEight() {
        assertThat(JavaThreads.count(null, null, 2)).isEqualTo(2);
        assertThat(JavaThreads.count(null, "PASSIVE", 32)).isEqualTo(8);
        assertThat(JavaThreads.count("two", "passive", 4)).isEqualTo(4);
    }

    @Test
    void spinningOpenMpWorkersLeaveTheJavaKernelsOnTheCaller() {
        assertThat(JavaThreads.count(null, "ACTIVE", 2)).isEqualTo(1);
        assertThat(JavaThreads.count(null, " active", 8)).isEqualTo(1);
        assertThat(JavaThreads.count("two", "ACTIVE", 8)).isEqualTo(1);
    }
}
