package dev.adnet.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TrainingGuardTest {
    @Test
    void aStepWhileAnotherThreadsStepRunsIsRefused() throws InterruptedException {
        TrainingGuard guard = new TrainingGuard("Net");
        guard.enter();
        AtomicReference<Throwable> refused = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                guard.enter();
            } catch (IllegalStateException e) {
                refused.set(e);
            }
        });
        other.start();
        other.join();
        assertThat(refused.get()).isInstanceOf(IllegalStateException.class)
                .hasMessage("Net is already training on another thread; use one instance per training thread");
        guard.exit();
    }

    @Test
    void stepsOneAfterTheOtherRunOnAnyThread() throws InterruptedException {
        TrainingGuard guard = new TrainingGuard("Net");
        guard.enter();
        guard.exit();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                guard.enter();
                guard.exit();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        other.start();
        other.join();
        assertThat(failure.get()).isNull();
        guard.enter();
        guard.exit();
    }

    @Test
    void aStepStartedInsideAnotherOnTheSameThreadIsRefused() {
        TrainingGuard guard = new TrainingGuard("Net");
        guard.enter();
        assertThatThrownBy(guard::enter).isInstanceOf(IllegalStateException.class)
                .hasMessage("Net: a training step was started inside another one on the same thread");
        guard.exit();
    }
}
