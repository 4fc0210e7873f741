package dev.adnet.runtime.checkpoint;

import dev.adnet.runtime.data.DataSpec;
import dev.adnet.runtime.train.OptimizerState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The content of a checkpoint file.
 *
 * @param network the network's name
 * @param sourceHash the digest of the source the network was generated from
 * @param dataType the network's floating-point type (FLOAT or DOUBLE)
 * @param parameters parameter values by name, in declaration order
 * @param buffers buffer values by name, in declaration order
 * @param optimizer the optimizer's state, or null
 * @param trainer where training stands
 * @param data the normalisation and class names of the data it was trained on; null in checkpoints written before
 *     they were recorded (those were trained on Fashion-MNIST)
 */
public record Checkpoint(
        String network,
        String sourceHash,
        String dataType,
        Map<String, INDArray> parameters,
        Map<String, INDArray> buffers,
        OptimizerState optimizer,
        TrainerState trainer,
        DataSpec data) {

    public static final int FORMAT_VERSION = 1;

    public Checkpoint {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        buffers = Collections.unmodifiableMap(new LinkedHashMap<>(buffers));
    }

    /** A checkpoint that records no data. */
    public Checkpoint(String network, String sourceHash, String dataType, Map<String, INDArray> parameters,
            Map<String, INDArray> buffers, OptimizerState optimizer, TrainerState trainer) {
        this(network, sourceHash, dataType, parameters, buffers, optimizer, trainer, null);
    }

    /** The same checkpoint recording {@code data}. */
    public Checkpoint withData(DataSpec d) {
        return new Checkpoint(network, sourceHash, dataType, parameters, buffers, optimizer, trainer, d);
    }
}
