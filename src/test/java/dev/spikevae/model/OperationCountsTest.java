package dev.spikevae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.autograd.Tape;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Backends;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The published operation counts (docs/reference.md §6.5) on an ESVAE whose spikes are known: every weight zero, so
 * every pre-activation is 0 and tdBN gives its bias β. β = 1 makes every LIF neuron fire at every step (1 > V_th);
 * β = 0 silences them all. The counts then follow from the shapes alone; the expected values below are worked out by
 * hand, layer by layer. N = 2 images of 1×32×32, T = 2 steps, latent L = 3; widths 32, 64, 128, 256.
 */
class OperationCountsTest {
    static final int N = 2;
    static final int T = 2;
    static final int L = 3;

    record Counted(OperationCounts counts, Esvae.Output output) {}

    static Counted run(float beta) {
        Backend b = Backends.cpu();
        EsvaeConfig config = new EsvaeConfig(1, 32, EsvaeSettings.REFERENCE.withLatent(L).withTimesteps(T));
        Esvae model = Esvae.create(b, config, new Rng(1));
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            String k = e.getKey();
            Tensor t = e.getValue();
            float v;
            if (k.startsWith("sample_layer.") || k.startsWith("membrane_output_layer.") || k.contains(".bn.running_var")
                    || k.endsWith(".bn.weight")) {
                continue;
            } else if (k.endsWith(".bn.bias")) {
                v = beta;
            } else {
                v = 0f;
            }
            float[] values = new float[t.numel()];
            Arrays.fill(values, v);
            b.copyFromHost(values, 0, t);
        }
        // the prior's Linear as the identity: r_p = sigmoid(z), so its input z = logit(r_p) can be read back
        float[] eye = new float[L * L];
        for (int i = 0; i < L; i++) {
            eye[i * L + i] = 1f;
        }
        b.copyFromHost(eye, 0, model.stateDict().get("sample_layer.0.weight"));
        b.copyFromHost(new float[L], 0, model.stateDict().get("sample_layer.0.bias"));
        model.train(false);
        assertTrue(model.countsOperations());
        OperationCounts counts = new OperationCounts();
        model.countOperations(counts);
        float[] px = new Rng(3).uniformHost(N * 32 * 32);
        Esvae.Output out;
        try (Tape.NoGrad ng = Tape.noGrad(); MemoryScope scope = MemoryScope.open()) {
            out = model.forward(b.fromHost(px, N, 1, 32, 32), StepContext.evaluation(new Rng(9), 0));
            float[] rp = out.ratePrior().toHost();
            float[] sp = out.sampledSpikes().toHost();
            out = new Esvae.Output(null, null, b.fromHost(rp, N, L).keep(), null, b.fromHost(sp, T, N, L).keep());
        }
        model.countOperations(null);
        model.close();
        return new Counted(counts, out);
    }

    static double[] layer(OperationCounts c, String name) {
        double[] v = c.perLayer().get(name);
        assertTrue(v != null, name + " not counted: " + c.perLayer().keySet());
        return v;
    }

    static double priorAdds(Esvae.Output out) {
        double sumZ = 0;
        for (float r : out.ratePrior().toHost()) {
            sumZ += Math.log(r / (1 - r));
        }
        return sumZ * L + N * L;
    }

    @Test
    void everyNeuronFiring() {
        Counted c = run(1f);
        OperationCounts k = c.counts();
        for (float z : c.output().sampledSpikes().toHost()) {
            assertEquals(1f, z, "rates of 1 sample a spike at every step");
        }
        // encoder.0, real-valued input [N·T, 1, 32, 32] = 4096 values, fan-out 3·3·32/2² = 72:
        // 294,912 MACs; adds = MACs + 4096 (the published "bias" term sized by the input)
        assertArrayEquals(new double[] {294912 + 4096, 294912}, layer(k, "encoder.0"));
        // LIF after it: T·N·32·16·16 = 32,768 inputs, none silent
        assertArrayEquals(new double[] {32768, 0}, layer(k, "encoder.0.lif"));
        // encoder.1: 32,768 input spikes × 3·3·64/4 = 144, + T·N·64·8·8 = 16,384 bias adds
        assertArrayEquals(new double[] {32768.0 * 144 + 16384, 0}, layer(k, "encoder.1"));
        assertArrayEquals(new double[] {16384, 0}, layer(k, "encoder.1.lif"));
        assertArrayEquals(new double[] {16384.0 * 288 + 8192, 0}, layer(k, "encoder.2"));
        assertArrayEquals(new double[] {8192.0 * 576 + 4096, 0}, layer(k, "encoder.3"));
        // before_latent_layer: 4096 input spikes × L, + T·N·L outputs
        assertArrayEquals(new double[] {4096.0 * 3 + 12, 0}, layer(k, "before_latent_layer"));
        assertArrayEquals(new double[] {12, 0}, layer(k, "before_latent_layer.lif"));
        // decoder_input: T·N·L = 12 sampled spikes × 1024, + T·N·1024
        assertArrayEquals(new double[] {12.0 * 1024 + 4096, 0}, layer(k, "decoder_input"));
        // transposed convolutions, fan-out out·3·3·2²: 256→128 (4608), 128→64 (2304), 64→32 (1152), 32→32 (1152)
        assertArrayEquals(new double[] {4096.0 * 4608 + 8192, 0}, layer(k, "decoder.0"));
        assertArrayEquals(new double[] {8192.0 * 2304 + 16384, 0}, layer(k, "decoder.1"));
        assertArrayEquals(new double[] {16384.0 * 1152 + 32768, 0}, layer(k, "decoder.2"));
        assertArrayEquals(new double[] {32768.0 * 1152 + 131072, 0}, layer(k, "final_layer.0"));
        assertArrayEquals(new double[] {131072, 0}, layer(k, "final_layer.0.lif"));
        // the real-valued output layer, 32→1, stride 1: fan-out 9, no neurons
        assertArrayEquals(new double[] {131072.0 * 9 + 4096, 0}, layer(k, "final_layer.1"));
        assertFalse(k.perLayer().containsKey("final_layer.1.lif"));
        assertEquals(priorAdds(c.output()), layer(k, "sample_layer.0")[0], 1e-3);
        assertEquals(294912, k.muls(), 0, "only the first convolution multiplies when every neuron fires");
        double sum = 0;
        for (double[] v : k.perLayer().values()) {
            sum += v[0];
        }
        assertEquals(sum, k.adds(), 1e-6);
    }

    @Test
    void noNeuronFiring() {
        Counted c = run(0f);
        OperationCounts k = c.counts();
        for (float z : c.output().sampledSpikes().toHost()) {
            assertEquals(0f, z, "rates of 0 never sample a spike");
        }
        assertArrayEquals(new double[] {294912 + 4096, 294912}, layer(k, "encoder.0"));
        // silent neurons: one multiplication per neuron and step
        assertArrayEquals(new double[] {32768, 32768}, layer(k, "encoder.0.lif"));
        // no input spikes: only the bias additions remain
        assertArrayEquals(new double[] {16384, 0}, layer(k, "encoder.1"));
        assertArrayEquals(new double[] {12, 0}, layer(k, "before_latent_layer"));
        assertArrayEquals(new double[] {12, 12}, layer(k, "before_latent_layer.lif"));
        assertArrayEquals(new double[] {4096, 0}, layer(k, "decoder_input"));
        assertArrayEquals(new double[] {4096, 4096}, layer(k, "decoder_input.lif"));
        assertArrayEquals(new double[] {4096, 0}, layer(k, "final_layer.1"));
        // multiplications: the first convolution's MACs and every silent neuron-step
        double neurons = 32768 + 16384 + 8192 + 4096 + 12 + 4096 + 8192 + 16384 + 32768 + 131072;
        assertEquals(294912 + neurons, k.muls(), 0);
    }

    static void assertArrayEquals(double[] expected, double[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, 1e-6);
    }
}
