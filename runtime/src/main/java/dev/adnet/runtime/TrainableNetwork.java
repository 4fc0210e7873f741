package dev.adnet.runtime;

import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.StepResult;
import dev.adnet.runtime.train.TrainingConfig;
import java.util.List;

/**
 * A network that can run a training step: the training forward pass, the losses declared in its {@code train}
 * section and the compiler-emitted backward pass.
 */
public interface TrainableNetwork extends Network {
    /**
     * Runs one training step on a batch: forward in training mode (batch statistics, running averages updated),
     * losses, and the backward pass. Every parameter's gradient is overwritten with this batch's gradient of the
     * total loss; the optimizer is not applied here.
     */
    StepResult trainStep(Batch batch, StepContext context);

    /**
     * The parameters training updates: all of them, unless the source freezes some (a multi-exit network trained
     * with {@code freeze backbone} updates only its exit heads).
     */
    default List<Parameter> trainableParameters() {
        return parameters();
    }

    /** The training configuration the source declares (optimizer, schedule, batch size, epochs, seed). */
    TrainingConfig trainingConfig();
}
