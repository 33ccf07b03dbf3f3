/**
 * Spiking VAE models composed from {@code dev.spikevae.nn}; no backend code.
 *
 * <h2>ESVAE</h2>
 * {@link dev.spikevae.model.Esvae} is the network of docs/reference.md §1.2 (32×32 images) or §1.3 (ESVAE-large,
 * 64×64), chosen by {@link dev.spikevae.model.EsvaeConfig#imageSize()}:
 * <pre>
 * images [N, C, H, W] in [-1, 1]
 *   encoder.0 .. encoder.3 (.4)    tdConv 3×3 s2 + tdBN + LIF        (first conv once per image, see below)
 *   before_latent_layer            tdLinear + tdBN + LIF   -&gt; x_e [T, N, L], r_q = mean_t x_e
 *   sampler                        z_t = 1[r_q &gt; u_t], u ~ U[0, 1), surrogate 1[|r_q - u_t| &lt; 0.5]
 *   decoder_input                  tdLinear + tdBN + LIF, viewed as [T, N, C_last, 2, 2]
 *   decoder.0 .. , final_layer.0   tdConvTranspose 3×3 s2 op1 + tdBN + LIF
 *   final_layer.1                  tdConvTranspose 3×3 s1, real-valued
 *   membrane_output_layer, tanh    m = sum_t 0.8^(T-1-t) y_t, x̂ = tanh(m)
 * prior: sample_layer              r_p = sigmoid(Linear(z)), z ~ N(0, I)
 * loss                             MSE(x̂, x) + λ · MMD²(r_q, r_p)
 * </pre>
 *
 * <h2>Baselines</h2>
 * {@link dev.spikevae.model.SpikingBackbone} is the encoder and decoder ESVAE shares with
 * {@link dev.spikevae.model.Fsvae} (autoregressive Bernoulli latent from spiking posterior and prior nets,
 * docs/reference.md §8) and {@link dev.spikevae.model.SpikingAe} (latent spikes straight to the decoder, §6.5).
 * {@link dev.spikevae.model.AnnVae} is the non-spiking VAE of §8.5 on rank-4 tensors. Each has its
 * {@code ModelType} in {@link dev.spikevae.model.Models} and keeps the published state-dict names.
 *
 * <h2>Naming</h2>
 * <ul>
 *   <li>Checkpoint keys are the reference's state-dict names (docs/reference.md §13): each time-distributed layer
 *       ({@link dev.spikevae.model.TdLayer}) holds {@code weight}, {@code bias} and a {@code bn} child, so
 *       keys read {@code encoder.0.weight}, {@code encoder.0.bn.running_mean}, and so on. Shapes differ from
 *       the reference only where layouts do: no trailing time axis of 1 on kernels, the readout
 *       {@code coef} is {@code [T]}, {@code num_batches_tracked} is {@code [1]}. The FSVAE prior and
 *       posterior nets that the reference builds but never uses are not built.</li>
 *   <li>Rates: the reference code calls the encoder's rate {@code r_q} and the prior's {@code r_p}; the
 *       paper's Fig. 2 swaps the two labels (docs/reference.md §3.1). To avoid that trap the API says
 *       {@code ratePosterior} (rate_post, {@code r_q}) and {@code ratePrior} (rate_prior, {@code r_p}), as
 *       docs/reference.md §10.2 recommends.</li>
 *   <li>"Poisson" sampling is a Bernoulli draw per step (spike count Binomial(T, r)), stochastic in both
 *       training and evaluation; determinism comes from the {@link dev.spikevae.tensor.Rng} passed in.</li>
 * </ul>
 *
 * <h2>Efficiency choices</h2>
 * <ul>
 *   <li>Every tdBN + LIF is the fused node ({@code TdBatchNorm.forwardLif}), which keeps only its input and
 *       the spikes; hidden spikes are stored as {@link dev.spikevae.model.EsvaeConfig#spikeType()} (u8: a
 *       quarter of the memory, identical results). The latent spike trains {@code x_e} and {@code z}
 *       ({@code [T, N, L]}, small) are f32 so that reductions and callers can read them directly.</li>
 *   <li>The input is the same image at every step (direct encoding), and a convolution commutes with the
 *       repetition, so the first convolution runs once per image and its output is repeated over T
 *       ({@link dev.spikevae.model.TdConv#forwardRepeated}); tdBN + LIF then run on the repeated values,
 *       exactly as in the reference (same statistics, same unbiased running variance).</li>
 *   <li>No Java loop over time steps: each layer is one op over the merged {@code T·N} batch.</li>
 * </ul>
 */
package dev.spikevae.model;
