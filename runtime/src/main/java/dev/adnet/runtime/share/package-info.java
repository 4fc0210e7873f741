/**
 * The runtime side of AdaShare's learned sharing ({@code share adashare(...)}): each task's select-or-skip decision
 * for each unit ({@link dev.adnet.runtime.share.TaskPolicy}, two logits [select, skip] per task and unit, as in
 * AdaShare's code) and the sparsity and sharing regularisers of those logits
 * ({@link dev.adnet.runtime.share.ShareLosses}). A unit's output {@code x + z * (unit(x) - x)} runs on the gated
 * residual's kernel ({@code dev.adnet.runtime.adaptive.GatedResidual}), the decision standing for every sample.
 * AdaShare's training schedule ({@code policy_schedule adashare(...)}): its settings
 * ({@link dev.adnet.runtime.share.AdaShareSchedule}), the network that declares it
 * ({@link dev.adnet.runtime.share.ScheduledShareNetwork}) and the {@link dev.adnet.runtime.share.PolicyControl} through
 * which {@code dev.adnet.runtime.train.AdaShareTrainer} steers its training steps.
 */
package dev.adnet.runtime.share;
