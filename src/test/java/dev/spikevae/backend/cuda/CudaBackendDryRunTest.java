package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.AdamWParams;
import dev.spikevae.tensor.BinaryOp;
import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Surrogate;
import dev.spikevae.tensor.Tensor;
import dev.spikevae.tensor.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole CUDA backend on a {@link DryRunDevice}: every op of the op set is called, so every kernel
 * call site packs its arguments against the kernel's PTX signature, passes pointers inside live
 * allocations and picks a launch shape; the test then checks the shapes and values of typical launches
 * and that every kernel entry of every module is reached by some call site.
 */
class CudaBackendDryRunTest {

    /** Calls every op once on small, odd shapes. */
    static void exerciseEveryOp(CudaBackend be) {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor a = be.zeros(3, 5);
            Tensor b = be.zeros(5);
            Tensor out = be.empty(3, 5);
            be.copy(a, out);
            Tensor bytes = be.empty(Shape.of(3, 5), DType.U8);
            be.cast(a, bytes);
            be.cast(bytes, out);
            be.fill(bytes, 1f);
            be.copyToHost(bytes, new float[15], 0);
            be.copyFromHost(new float[15], 0, bytes);
            for (UnaryOp op : UnaryOp.values()) {
                be.unary(op, a, out, 0.1f);
                if (op != UnaryOp.STEP) {
                    be.unaryBackward(op, a, a, a, out, 0.1f);
                }
            }
            for (BinaryOp op : BinaryOp.values()) {
                be.binary(op, a, b, out);
                be.binary(op, a, a, out);
            }
            be.axpby(2f, a, 0f, out);
            be.matmul(false, false, 1f, be.zeros(3, 5000), be.zeros(5000, 4), 0f, be.empty(3, 4)); // split along k
            be.affine(a, 2f, 1f, out);
            be.reduceSum(a, be.empty(5), 1f, 0f);
            be.reduceSum(be.zeros(300, 2), be.empty(2), 1f, 1f);
            be.reduceSum(be.zeros(40000, 2), be.empty(2), 1f, 0f); // few outputs of many terms: in parts
            be.expand(b, out);
            be.permute(a, new int[] {1, 0}, be.empty(5, 3));
            be.sliceCopy(a, 1, 1, be.empty(3, 2));
            be.sliceAssign(be.zeros(3, 2), 1, 1, out, 0.5f);
            be.leakyScan(a, 0.5f, 0.5f, out);
            be.leakyScanBackward(a, 0.5f, 0.5f, out);

            be.matmul(false, true, 1f, be.zeros(7, 9), be.zeros(11, 9), 0f, be.empty(7, 11));
            be.gemm(true, false, 130, 2200, 17, 0.5f, be.zeros(17, 130), 0, 130, be.zeros(17, 2200), 0, 2200, 1f,
                    be.zeros(130, 2200), 0, 2200, 1, 0, 0, 0);
            be.gemm(false, false, 2176, 2176, 8, 1f, be.empty(2176, 8), 0, 8, be.empty(8, 2176), 0, 2176, 0f,
                    be.empty(2176, 2176), 0, 2176, 1, 0, 0, 0);
            be.gemm(false, false, 4, 4, 4, 0f, be.empty(4, 4), 0, 4, be.empty(4, 4), 0, 4, 0f, be.empty(4, 4), 0, 4, 1, 0,
                    0, 0);

            ConvGeometry g = ConvGeometry.conv(3, 2, 7, 7, 4, 3, 2, 1);
            Tensor x = be.zeros(g.inputShape());
            Tensor xs = be.empty(g.inputShape(), DType.U8);
            Tensor w = be.zeros(g.weightShape());
            Tensor y = be.empty(g.outputShape());
            be.convForward(x, w, be.zeros(4), y, g);
            be.convForward(xs, w, null, y, g);
            be.convBackwardData(y, w, null, be.empty(g.inputShape()), g);
            be.convBackwardData(be.empty(g.outputShape(), DType.U8), w, be.zeros(2), be.empty(g.inputShape()), g);
            be.convBackwardWeight(x, y, be.zeros(g.weightShape()), 0f, g);
            be.convBackwardWeight(xs, y, be.zeros(g.weightShape()), 1f, g);
            ConvGeometry empty = g.withBatch(0);
            be.convBackwardWeight(be.zeros(empty.inputShape()), be.zeros(empty.outputShape()), be.zeros(g.weightShape()),
                    0f, empty);

            Tensor bn = be.zeros(6, 4, 9);
            Tensor mean = be.empty(4);
            Tensor var = be.empty(4);
            be.batchNormStats(bn, mean, var);
            be.batchNormForward(bn, mean, var, be.zeros(4), be.zeros(4), 0.2f, 1e-5f, be.empty(6, 4, 9));
            be.batchNormBackward(bn, bn, mean, var, be.zeros(4), 0.2f, 1e-5f, true, be.empty(6, 4, 9), be.empty(4),
                    be.empty(4));

            Tensor xt = be.zeros(4, 3, 5);
            Tensor mem = be.empty(4, 3, 5);
            be.lifForward(xt, be.empty(4, 3, 5), mem, LifParams.REFERENCE);
            be.lifForward(xt, be.empty(Shape.of(4, 3, 5), DType.U8), mem, LifParams.REFERENCE);
            be.lifBackward(xt, mem, be.empty(4, 3, 5), LifParams.REFERENCE.withSurrogate(Surrogate.ATAN, 2f));
            be.uniform(be.empty(13), 7, 3);
            be.normal(be.empty(13), 7, 3);
            Tensor rate = be.zeros(3, 5);
            be.bernoulliSpikes(rate, be.empty(4, 3, 5), 7, 3);
            be.bernoulliSpikes(rate, be.empty(Shape.of(4, 3, 5), DType.U8), 7, 3);
            be.bernoulliSpikesBackward(xt, rate, be.zeros(3, 5), 7, 3, 0.5f, 1f);
            be.pickOneOfK(be.zeros(6, 4), be.empty(6), 7, 3);
            be.pickOneOfKBackward(be.zeros(6), be.empty(6, 4), 7, 3);

            be.mmdForward(be.zeros(5, 3), be.zeros(4, 3), 5, 2f, be.empty(1), be.empty(1));
            be.mmdBackward(be.zeros(1), be.zeros(5, 3), be.zeros(4, 3), be.zeros(1), 5, 2f, be.empty(5, 3), be.empty(4, 3));
            be.adamW(be.zeros(7), be.zeros(7), be.zeros(7), be.zeros(7), new AdamWParams(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 3));
        }
    }

    @Test
    void everyKernelEntryIsReachedWithArgumentsMatchingItsPtx() {
        DryRunDevice fp32 = new DryRunDevice();
        exerciseEveryOp(new CudaBackend(fp32, false));
        DryRunDevice tf32 = new DryRunDevice();
        exerciseEveryOp(new CudaBackend(tf32, true));
        Set<String> launched = new TreeSet<>();
        fp32.launches.forEach(l -> launched.add(l.kernel()));
        tf32.launches.forEach(l -> launched.add(l.kernel()));
        Set<String> all = new TreeSet<>(fp32.entries().keySet());
        all.removeAll(launched);
        assertTrue(all.isEmpty(), "kernels no call site reached: " + all);
    }

    @Test
    void lifLaunchesOneThreadPerNeuronWithTheNeuronsParameters() {
        DryRunDevice d = new DryRunDevice();
        CudaBackend be = new CudaBackend(d, false);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = be.zeros(16, 1000);
            Tensor spikes = be.empty(Shape.of(16, 1000), DType.U8);
            be.lifForward(x, spikes, be.empty(16, 1000), LifParams.REFERENCE);
            DryRunDevice.Launch l = d.of("lif_forward").get(0);
            assertEquals(LaunchConfig.items(1000), l.config());
            List<Object> a = l.args();
            assertEquals(0L, a.get(1), "no f32 spike pointer for u8 spikes");
            assertEquals(Addresses.of(spikes), a.get(2));
            assertEquals(16, a.get(4));
            assertEquals(1000, a.get(5));
            assertEquals(0.25f, a.get(6));
            assertEquals(0.2f, a.get(7));
            be.lifBackward(x, x, be.empty(16, 1000), LifParams.REFERENCE.withDetachReset(true));
            List<Object> b = d.of("lif_backward").get(0).args();
            assertEquals(0f, b.get(7), "detached reset: no reset gradient");
            assertEquals(0, b.get(8), "rectangle");
        }
    }

    @Test
    void viewsAndOffsetsReachTheKernelsAsAddresses() {
        DryRunDevice d = new DryRunDevice();
        CudaBackend be = new CudaBackend(d, false);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor whole = be.zeros(10, 4);
            Tensor rows = whole.narrow0(3, 5);
            be.affine(rows, 1f, 0f, rows);
            DryRunDevice.Launch l = d.of("affine_f32").get(0);
            assertEquals(Addresses.of(whole) + 3 * 4 * 4, l.args().get(0), "offset of row 3 in bytes");
            assertEquals(20, l.args().get(4));
            be.gemm(false, false, 2, 2, 2, 1f, whole, 4, 4, whole, 8, 4, 0f, whole, 16, 4, 3, 2, 6, 8);
            DryRunDevice.Launch gl = d.of("sgemm_64x64").get(0);
            assertEquals(new LaunchConfig(1, 1, 3, 256), gl.config());
            assertEquals(Addresses.of(whole) + 16, gl.args().get(6), "A at element 4");
            assertEquals(2L, gl.args().get(8), "A's batch stride in elements");
        }
    }

    @Test
    void convolutionsWalkTheBatchInChunks() {
        DryRunDevice d = new DryRunDevice();
        CudaBackend be = new CudaBackend(d, false);
        ConvGeometry g = ConvGeometry.conv(600, 64, 16, 16, 64, 3, 1, 1); // 576 x 256 column floats per image
        int chunk = CudaConv.chunkImages(g);
        int chunks = (600 + chunk - 1) / chunk;
        assertTrue(chunks > 1, "several chunks");
        try (MemoryScope s = MemoryScope.open()) {
            be.convBackwardWeight(be.empty(g.inputShape(), DType.U8), be.empty(g.outputShape()), be.empty(g.weightShape()),
                    0.5f, g);
        }
        // each chunk's product (64 x 576 outputs: 9 tiles for 132 SMs, k = a chunk's positions) is split along k: its
        // slices start from zero, and the closing sum of each chunk applies beta
        List<DryRunDevice.Launch> sums = d.of("sgemm_splitk_sum");
        assertEquals(chunks, sums.size());
        assertEquals(0.5f, sums.get(0).args().get(5), "beta on the first chunk");
        assertEquals(1f, sums.get(1).args().get(5), "accumulate afterwards");
        assertTrue(d.of("sgemm_64x64").stream().allMatch(l -> (float) l.args().get(12) == 0f), "slices from zero");
        assertEquals(chunks, d.of("im2col_u8").size());
        assertArrayEquals(CudaConv.shape(g), (int[]) d.of("im2col_u8").get(0).args().get(2));
    }

    @Test
    void aSteadyLoopReusesDeviceMemory() {
        DryRunDevice d = new DryRunDevice();
        CudaBackend be = new CudaBackend(d, false);
        for (int step = 0; step < 3; step++) {
            try (MemoryScope s = MemoryScope.open()) {
                Tensor bn = be.zeros(6, 4, 9);
                be.batchNormStats(bn, be.empty(4), be.empty(4));
                be.mmdForward(be.zeros(5, 3), be.zeros(4, 3), 5, 2f, be.empty(1), be.empty(1));
            }
            if (step == 0) {
                d.driverAllocations = 0;
            }
        }
        assertEquals(0, d.driverAllocations, "steps after the first allocate nothing new");
    }
}
