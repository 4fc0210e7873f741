/**
 * The sample networks. Their classes ({@code FashionResNet}, {@code FashionAIG}, ...) are generated at build time
 * from {@code src/main/adnet/dev/adnet/samples/*.adnet} by the adnet Maven plugin; {@link
 * dev.adnet.samples.SampleNetworks} finds them, {@link dev.adnet.samples.TrainSample} trains, evaluates and
 * benchmarks one. A new {@code .adnet} file in that folder is a new sample, with no Java to write.
 */
package dev.adnet.samples;
