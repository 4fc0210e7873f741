package dev.adnet.runtime.share;

/**
 * AdaShare's training schedule as a train section declares it ({@code policy_schedule adashare(...)}), with the
 * reference code's names in brackets ({@code train.py}, {@code envs/blockdrop_env.py}, {@code yamls/adashare}).
 *
 * @param warmupEpochs epochs of weight training with every unit run, the policies not sampled ({@code warm_up_iters})
 * @param policyLearningRate Adam's learning rate for the policy logits ({@code optimizers['alphas']}, 0.01)
 * @param policyWeightDecay L2 decay of the logits in their Adam ({@code weight_decay=5e-4})
 * @param curriculum policy phases per unit the curriculum adds ({@code curriculum_speed}): the last {@code p /
 *     curriculum + 1} units sample their policy in the alternation {@code p} (from 0)
 * @param temperature the policies' starting temperature ({@code init_temp}, 5)
 * @param decay the factor on the temperature after each policy phase ({@code decay_temp}, 0.965)
 * @param holdout the fraction of the training samples held out for the policy phases and the final choice (the
 *     reference's {@code train2} split); the rest trains the weights ({@code train1})
 * @param samples how many policies are sampled from the learned distribution at the end, the best on the held-out
 *     samples chosen (the reference samples 8 and re-trains each)
 */
public record AdaShareSchedule(int warmupEpochs, double policyLearningRate, double policyWeightDecay, int curriculum,
        double temperature, double decay, double holdout, int samples) {
    public AdaShareSchedule {
        if (warmupEpochs < 0 || !(policyLearningRate > 0) || !(policyWeightDecay >= 0) || curriculum < 1 || !(temperature > 0)
                || !(decay > 0 && decay <= 1) || !(holdout > 0 && holdout < 1) || samples < 1) {
            throw new IllegalArgumentException("invalid AdaShare schedule: warmup " + warmupEpochs + ", policy_lr "
                    + policyLearningRate + ", policy_weight_decay " + policyWeightDecay + ", curriculum " + curriculum
                    + ", temperature " + temperature + ", decay " + decay + ", holdout " + holdout + ", samples " + samples);
        }
    }
}
