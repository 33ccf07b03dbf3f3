package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.spikevae.backend.cuda.Addresses.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which convolutions the CUDA backend hands to the vendor library, on a {@link DryRunDevice} with a
 * recording {@link VendorConv}: f32 operands go to cuDNN (the right call, tensors, beta, bias and a
 * workspace from the caching allocator) and launch no own kernel; u8 spike operands and empty batches
 * take the own kernels; without the library everything does.
 */
class CudnnRoutingDryRunTest {

    /** One call the backend made on the vendor library. */
    record Call(String what, VendorConv.Direction direction, ConvGeometry geometry, boolean tf32, long[] addresses,
                float beta) {
    }

    record FakePlan(VendorConv.Direction direction, ConvGeometry geometry, long workspaceBytes, boolean tf32)
            implements VendorConv.Plan {
    }

    /** Records every call; a plan needs a workspace of {@code workspace} bytes, which must be live memory. */
    static final class RecordingConv implements VendorConv {
        final List<Call> calls = new ArrayList<>();
        private final DryRunDevice device;
        private final long workspace;

        RecordingConv(DryRunDevice device, long workspace) {
            this.device = device;
            this.workspace = workspace;
        }

        @Override
        public Plan plan(Direction direction, ConvGeometry g, boolean tf32) {
            calls.add(new Call("plan", direction, g, tf32, new long[0], Float.NaN));
            return new FakePlan(direction, g, workspace, tf32);
        }

        private void record(String what, Plan plan, float beta, long ws, long... addresses) {
            FakePlan p = (FakePlan) plan;
            if (!what.equals("addBias") && p.workspaceBytes() > 0 && !device.inside(ws, p.workspaceBytes())) {
                throw new IllegalStateException(what + ": the workspace is not live memory");
            }
            for (long a : addresses) {
                if (!device.inside(a, 1)) {
                    throw new IllegalStateException(what + ": an operand is not live memory");
                }
            }
            calls.add(new Call(what, p.direction(), p.geometry(), p.tf32(), addresses, beta));
        }

        @Override
        public void forward(Plan plan, long x, long w, long y, long ws) {
            assertEquals(Direction.FORWARD, plan.direction());
            record("forward", plan, Float.NaN, ws, x, w, y);
        }

        @Override
        public void backwardData(Plan plan, long dy, long w, long dx, long ws) {
            assertEquals(Direction.BACKWARD_DATA, plan.direction());
            record("backwardData", plan, Float.NaN, ws, dy, w, dx);
        }

        @Override
        public void backwardFilter(Plan plan, long x, long dy, float beta, long dw, long ws) {
            assertEquals(Direction.BACKWARD_FILTER, plan.direction());
            record("backwardFilter", plan, beta, ws, x, dy, dw);
        }

        @Override
        public void addBias(Plan plan, long bias, long out) {
            record("addBias", plan, Float.NaN, 0, bias, out);
        }

        @Override
        public String name() {
            return "recorded cuDNN";
        }

        List<String> names() {
            return calls.stream().map(Call::what).toList();
        }
    }

    private static boolean ownConvKernels(DryRunDevice d) {
        return d.launches.stream().anyMatch(l -> l.kernel().startsWith("im2col") || l.kernel().startsWith("sgemm")
                || l.kernel().startsWith("gather_channels") || l.kernel().equals("col2im_f32")
                || l.kernel().equals("scatter_channels_f32") || l.kernel().equals("scale_f32"));
    }

    @Test
    void aBackendWithoutVendorLibrariesNeverCallsALoadedOne() {
        DryRunDevice d = new DryRunDevice();
        RecordingConv cudnn = new RecordingConv(d, 3000);
        d.vendorConv = cudnn;
        CudaBackend be = new CudaBackend(d, false, false);
        ConvGeometry g = ConvGeometry.conv(3, 2, 7, 7, 4, 3, 2, 1);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = be.zeros(g.inputShape());
            Tensor w = be.zeros(g.weightShape());
            Tensor y = be.empty(g.outputShape());
            be.convForward(x, w, be.zeros(4), y, g);
            be.convBackwardData(y, w, null, be.empty(g.inputShape()), g);
            be.convBackwardWeight(x, y, be.zeros(g.weightShape()), 0f, g);
        }
        assertEquals(List.of(), cudnn.names(), "cuDNN was loaded but the backend was created without vendor libraries");
        assertTrue(ownConvKernels(d), "the own kernels ran: " + d.launches);
    }

    @Test
    void f32ConvolutionsRunThroughTheVendorLibraryWithTheirTensors() {
        DryRunDevice d = new DryRunDevice();
        RecordingConv cudnn = new RecordingConv(d, 3000);
        d.vendorConv = cudnn;
        CudaBackend be = new CudaBackend(d, false);
        ConvGeometry g = ConvGeometry.conv(3, 2, 7, 7, 4, 3, 2, 1);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = be.zeros(g.inputShape());
            Tensor w = be.zeros(g.weightShape());
            Tensor bias = be.zeros(4);
            Tensor y = be.empty(g.outputShape());
            be.convForward(x, w, bias, y, g);
            assertEquals(List.of("plan", "forward", "addBias"), cudnn.names());
            assertEquals(VendorConv.Direction.FORWARD, cudnn.calls.get(0).direction());
            assertEquals(g, cudnn.calls.get(0).geometry());
            assertEquals(List.of(of(x), of(w), of(y)), boxed(cudnn.calls.get(1).addresses()));
            assertEquals(List.of(of(bias), of(y)), boxed(cudnn.calls.get(2).addresses()));

            cudnn.calls.clear();
            Tensor dx = be.empty(g.inputShape());
            be.convBackwardData(y, w, null, dx, g);
            assertEquals(List.of("plan", "backwardData"), cudnn.names());
            assertEquals(List.of(of(y), of(w), of(dx)), boxed(cudnn.calls.get(1).addresses()));

            cudnn.calls.clear();
            Tensor dw = be.zeros(g.weightShape());
            be.convBackwardWeight(x, y, dw, 0.5f, g);
            assertEquals(List.of("plan", "backwardFilter"), cudnn.names());
            assertEquals(0.5f, cudnn.calls.get(1).beta());
            assertEquals(List.of(of(x), of(y), of(dw)), boxed(cudnn.calls.get(1).addresses()));
        }
        assertFalse(ownConvKernels(d), "own convolution kernels launched: " + d.launches);
    }

    @Test
    void aTransposedConvolutionsForwardIsTheBackwardDataCallWithItsBiasOnDx() {
        DryRunDevice d = new DryRunDevice();
        RecordingConv cudnn = new RecordingConv(d, 0);
        d.vendorConv = cudnn;
        CudaBackend be = new CudaBackend(d, true);
        // ConvTranspose2d(6 -> 5, kernel 3, stride 2, padding 1, output padding 1) over 4x4: 8x8 out
        ConvGeometry g = ConvGeometry.transposed(3, 6, 4, 4, 5, 3, 2, 1, 1);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor in = be.zeros(g.outputShape());
            Tensor w = be.zeros(g.weightShape());
            Tensor bias = be.zeros(5);
            Tensor out = be.empty(g.inputShape());
            be.convBackwardData(in, w, bias, out, g);
            assertEquals(List.of("plan", "backwardData", "addBias"), cudnn.names());
            Call plan = cudnn.calls.get(0);
            assertEquals(VendorConv.Direction.BACKWARD_DATA, plan.direction());
            assertEquals(g, plan.geometry());
            assertTrue(plan.tf32(), "a TF32 backend plans with TF32 allowed");
            assertEquals(8, g.inH());
            assertEquals(List.of(of(bias), of(out)), boxed(cudnn.calls.get(2).addresses()));
        }
        assertFalse(ownConvKernels(d), "own convolution kernels launched: " + d.launches);
    }

    @Test
    void u8SpikeOperandsAndEmptyBatchesTakeTheOwnKernels() {
        DryRunDevice d = new DryRunDevice();
        RecordingConv cudnn = new RecordingConv(d, 3000);
        d.vendorConv = cudnn;
        CudaBackend be = new CudaBackend(d, false);
        ConvGeometry g = ConvGeometry.conv(3, 2, 7, 7, 4, 3, 2, 1);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor spikes = be.empty(g.inputShape(), DType.U8);
            Tensor w = be.zeros(g.weightShape());
            Tensor y = be.empty(g.outputShape());
            be.convForward(spikes, w, be.zeros(4), y, g);
            assertEquals(1, d.of("im2col_u8").size());
            be.convBackwardData(be.empty(g.outputShape(), DType.U8), w, null, be.empty(g.inputShape()), g);
            assertEquals(1, d.of("gather_channels_u8").size());
            be.convBackwardWeight(spikes, y, be.zeros(g.weightShape()), 1f, g);
            assertEquals(2, d.of("im2col_u8").size());
            be.convBackwardWeight(be.zeros(g.inputShape()), be.empty(g.outputShape(), DType.U8), be.zeros(g.weightShape()),
                    1f, g);
            assertEquals(2, d.of("gather_channels_u8").size());
            ConvGeometry empty = g.withBatch(0);
            be.convBackwardWeight(be.zeros(empty.inputShape()), be.zeros(empty.outputShape()), be.zeros(g.weightShape()),
                    0.5f, empty);
            assertEquals(1, d.of("scale_f32").size());
        }
        assertEquals(List.of(), cudnn.names());
    }

    @Test
    void withoutTheVendorLibraryEveryConvolutionTakesTheOwnKernels() {
        DryRunDevice d = new DryRunDevice();
        CudaBackend be = new CudaBackend(d, false);
        ConvGeometry g = ConvGeometry.conv(3, 2, 7, 7, 4, 3, 2, 1);
        try (MemoryScope scope = MemoryScope.open()) {
            be.convForward(be.zeros(g.inputShape()), be.zeros(g.weightShape()), null, be.empty(g.outputShape()), g);
        }
        assertEquals(1, d.of("im2col_f32").size());
        assertTrue(be.description().contains("convolutions: im2col"), be.description());
    }

    @Test
    void theWorkspaceComesFromTheCachingAllocator() {
        DryRunDevice d = new DryRunDevice();
        RecordingConv cudnn = new RecordingConv(d, 5L << 20);
        d.vendorConv = cudnn;
        CudaBackend be = new CudaBackend(d, false);
        ConvGeometry g = ConvGeometry.conv(3, 2, 7, 7, 4, 3, 2, 1);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = be.zeros(g.inputShape());
            Tensor w = be.zeros(g.weightShape());
            Tensor y = be.empty(g.outputShape());
            be.convForward(x, w, null, y, g);
            long afterFirst = d.driverAllocations;
            for (int i = 0; i < 3; i++) {
                be.convForward(x, w, null, y, g);
            }
            assertEquals(afterFirst, d.driverAllocations, "later calls reuse the cached workspace block");
        }
        assertTrue(be.description().contains("convolutions: recorded cuDNN"), be.description());
    }

    private static List<Long> boxed(long[] v) {
        List<Long> out = new ArrayList<>();
        for (long a : v) {
            out.add(a);
        }
        return out;
    }
}
