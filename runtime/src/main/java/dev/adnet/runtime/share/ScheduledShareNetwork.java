package dev.adnet.runtime.share;

import dev.adnet.runtime.TrainableNetwork;
import java.util.List;

/**
 * A network with a share whose train section declares AdaShare's schedule: the trainer of that schedule
 * ({@code dev.adnet.runtime.train.AdaShareTrainer}) steers its training steps through the {@link PolicyControl} and
 * updates the policy logits apart from the weights.
 */
public interface ScheduledShareNetwork extends TrainableNetwork {
    /** What the next training steps sample; the generated training step reads it. */
    PolicyControl policyControl();

    AdaShareSchedule adaShareSchedule();

    /**
     * The names of the policy logits ({@code <share>.policy.<task>.unit<k>}, two values each: select, skip), every
     * task's units in order, tasks in declaration order.
     */
    List<String> policyLogits();
}
