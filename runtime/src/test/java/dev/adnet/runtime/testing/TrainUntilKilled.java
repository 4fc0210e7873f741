package dev.adnet.runtime.testing;

import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.LearningRateSchedule;
import dev.adnet.runtime.train.OptimizerConfig;
import dev.adnet.runtime.train.Optimizers;
import dev.adnet.runtime.train.ProgressBar;
import dev.adnet.runtime.train.ScheduleConfig;
import dev.adnet.runtime.train.Trainer;
import java.nio.file.Path;

/** Trains (slowly) until the process is signalled; used by the shutdown-hook test. Argument: output directory. */
public final class TrainUntilKilled {
    public static void main(String[] args) {
        SoftmaxRegression net = new SoftmaxRegression(1);
        net.beforeStep = step -> {
            if (step == 5) {
                System.out.println("READY");
                System.out.flush();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        DataLoader train = DataLoader.builder(FashionMnist.locate(null, Path.of("/nonexistent")).train(),
                SoftmaxRegression.INPUT, SoftmaxRegression.OUTPUT).batchSize(32).limit(6000).shuffle(1).build();
        Trainer.Result r = new Trainer(net, Optimizers.create(OptimizerConfig.sgd(0.01, 0.9, false, 0)),
                LearningRateSchedule.of(ScheduleConfig.constant()), 0.01,
                new Trainer.Options().epochs(100).outputDirectory(Path.of(args[0])).progress(System.out, ProgressBar.Mode.PLAIN))
                .fit(train, null);
        System.out.println("FINISHED completed=" + r.completed());
    }
}
