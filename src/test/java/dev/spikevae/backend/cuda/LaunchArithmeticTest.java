package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Launch shapes, argument packing and index plans, all pure Java. */
class LaunchArithmeticTest {

    @Test
    void elementwiseGridsCoverEveryItemAndAreCapped() {
        assertTrue(LaunchConfig.items(0).isEmpty());
        assertEquals(1, LaunchConfig.items(1).gridX());
        assertEquals(1, LaunchConfig.items(256).gridX());
        assertEquals(2, LaunchConfig.items(257).gridX());
        assertEquals(LaunchConfig.MAX_LINEAR_BLOCKS, LaunchConfig.items(1L << 40).gridX(), "grid-stride beyond the cap");
        for (long n : new long[] {1, 255, 256, 257, 65535, 1_000_003}) {
            LaunchConfig c = LaunchConfig.items(n);
            assertTrue(c.threads() >= Math.min(n, (long) LaunchConfig.MAX_LINEAR_BLOCKS * LaunchConfig.THREADS));
            assertTrue(c.threads() - n < LaunchConfig.THREADS, "at most one partial block for " + n);
        }
    }

    @Test
    void gemmGridsTileTheOutputAndTheBatch() {
        LaunchConfig c = LaunchConfig.gemm(1000, 130, 3, 128, 256);
        assertEquals(2, c.gridX(), "columns: ceil(130 / 128)");
        assertEquals(8, c.gridY(), "rows: ceil(1000 / 128)");
        assertEquals(3, c.gridZ());
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.gemm(64 * 70000, 1, 1, 64, 256), "y limit");
        assertEquals(CudaGemm.BIG_TILE, CudaGemm.tileFor(4096, 4096, 1, 132), "4096^2: 1024 big tiles");
        assertEquals(CudaGemm.SMALL_TILE, CudaGemm.tileFor(64, 4096, 1, 132), "a thin C keeps small tiles");
        assertEquals(CudaGemm.BIG_TILE, CudaGemm.tileFor(256, 256, 100, 132), "a big batch fills the GPU");
    }

    @Test
    void batchNormSplitsDependOnTheShapeOnly() {
        assertEquals(1, BatchNormKernels.splits(0));
        assertEquals(1, BatchNormKernels.splits(BatchNormKernels.VALUES_PER_BLOCK));
        assertEquals(2, BatchNormKernels.splits(BatchNormKernels.VALUES_PER_BLOCK + 1));
        assertEquals(BatchNormKernels.MAX_SPLITS, BatchNormKernels.splits(1L << 30));
    }

    @Test
    void convolutionChunksBoundTheColumnMatrix() {
        ConvGeometry g = ConvGeometry.conv(4096, 64, 16, 16, 128, 3, 2, 1); // K = 576, P = 64
        int chunk = CudaConv.chunkImages(g);
        assertTrue((long) chunk * 576 * 64 <= CudaConv.COLUMN_FLOATS, "chunk " + chunk);
        assertTrue((long) (chunk + 1) * 576 * 64 > CudaConv.COLUMN_FLOATS, "chunk as large as allowed");
        assertEquals(3, CudaConv.chunkImages(ConvGeometry.conv(3, 1, 4, 4, 2, 3, 1, 1)), "a small batch is one chunk");
        assertArrayEquals(new int[] {64, 16, 16, 128, 3, 3, 2, 2, 1, 1, 8, 8}, CudaConv.shape(g), "ConvShape field order");
    }

    @Test
    void axesMergeWhereEveryOperandIsContiguous() {
        Shape out = Shape.of(4, 3, 5);
        AxisMerge same = AxisMerge.of(out.dims(), out.strides(), out.strides());
        assertArrayEquals(new int[] {60}, same.dims);
        AxisMerge bias = AxisMerge.of(out.dims(), out.strides(), AxisMerge.broadcastStrides(Shape.of(3, 1), out));
        assertArrayEquals(new int[] {4, 3, 5}, bias.dims);
        assertArrayEquals(new int[] {0, 1, 0}, bias.strides[1]);
        AxisMerge row = AxisMerge.of(out.dims(), out.strides(), AxisMerge.broadcastStrides(Shape.of(5), out));
        assertArrayEquals(new int[] {12, 5}, row.dims, "leading axes of a row broadcast merge");
        assertArrayEquals(new int[] {0, 1}, row.strides[1]);
        assertEquals(0, AxisMerge.of(new int[] {1, 1}, new int[] {1, 1}).rank(), "a single element");
        assertThrows(IllegalArgumentException.class, () -> AxisMerge.of(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2},
                new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1}), "nine axes that cannot merge");
    }

    @Test
    void reducePlansSplitKeptAndReducedAxes() {
        LayoutKernels.ReducePlan p = LayoutKernels.plan(Shape.of(4, 3, 5), Shape.of(3, 1));
        assertArrayEquals(new int[] {3}, p.kept().dims);
        assertArrayEquals(new int[] {5}, p.kept().strides[0]);
        assertArrayEquals(new int[] {4, 5}, p.reduced().dims);
        assertArrayEquals(new int[] {15, 1}, p.reduced().strides[0]);
        assertEquals(3, p.outputs());
        assertEquals(20, p.termsPerOutput());
        LayoutKernels.ReducePlan all = LayoutKernels.plan(Shape.of(6, 7), Shape.of(1));
        assertEquals(0, all.kept().rank());
        assertArrayEquals(new int[] {42}, all.reduced().dims, "contiguous reduced axes merge");
        LayoutKernels.ReducePlan time = LayoutKernels.plan(Shape.of(16, 8, 32), Shape.of(8, 32));
        assertArrayEquals(new int[] {256}, time.kept().dims);
        assertArrayEquals(new int[] {16}, time.reduced().dims);
        assertArrayEquals(new int[] {256}, time.reduced().strides[0]);
    }

    @Test
    void argumentsArePackedLittleEndianInParameterOrderAndChecked() {
        Map<String, PtxEntry> e = PtxEntry.parse("lif", PtxModules.text("lif"));
        PtxEntry fwd = e.get("lif_forward");
        assertEquals(8, fwd.params().size());
        KernelArgs a = new KernelArgs(fwd);
        a.begin().ptr(0x1122334455667788L).ptr(0).ptr(16).ptr(32).i32(4).i32(15).f32(0.25f).f32(0.2f);
        a.checkComplete();
        assertEquals(ByteOrder.LITTLE_ENDIAN, a.slot(0).order());
        assertEquals((byte) 0x88, a.slot(0).get(0), "low byte first");
        assertEquals(15, a.intAt(5));
        assertEquals(0.2f, a.floatAt(7));
        assertTrue(a.isPointer(0) && !a.isPointer(4));
        IllegalStateException wrongType = assertThrows(IllegalStateException.class, () -> a.begin().ptr(0).ptr(0).ptr(0)
                .ptr(0).f32(4f));
        assertTrue(wrongType.getMessage().contains("lif_forward") && wrongType.getMessage().contains("parameter 4"),
                wrongType.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> a.begin().ptr(0).checkComplete());
        assertTrue(missing.getMessage().contains("takes 8"), missing.getMessage());
        KernelArgs b = new KernelArgs(e.get("lif_backward"));
        assertThrows(IllegalStateException.class, () -> {
            b.begin().ptr(0).ptr(0).ptr(0).i32(1).i32(1).f32(0).f32(0).f32(0).i32(0).f32(0).f32(0).f32(0);
        }, "one parameter too many");
    }

    @Test
    void structParametersAreReadFromThePtx() {
        PtxEntry gather = PtxEntry.parse("layout", PtxModules.text("layout")).get("gather_strided_f32");
        assertEquals(PtxEntry.Kind.STRUCT, gather.params().get(4).kind());
        assertEquals(4 * AxisMerge.MAX_RANK, gather.params().get(4).bytes());
        PtxEntry im2col = PtxEntry.parse("conv", PtxModules.text("conv")).get("im2col_f32");
        assertEquals(48, im2col.params().get(2).bytes(), "ConvShape: 12 ints");
        KernelArgs a = new KernelArgs(gather);
        a.begin().ptr(0).ptr(0).i32(6).i32(2).ints(AxisMerge.MAX_RANK, 2, 3).ints(AxisMerge.MAX_RANK, 3, 1);
        assertEquals(3, a.slot(4).getInt(4));
        assertEquals(0, a.slot(4).getInt(8), "zero padded");
        assertThrows(IllegalArgumentException.class, () -> a.begin().ptr(0).ptr(0).i32(6).i32(2)
                .ints(AxisMerge.MAX_RANK, new int[9]));
    }

    @Test
    void theAllocatorRoundsAndReusesBlocks() {
        assertEquals(512, DeviceAllocator.roundUp(0));
        assertEquals(512, DeviceAllocator.roundUp(512));
        assertEquals(1024, DeviceAllocator.roundUp(513));
        assertEquals(2L << 20, DeviceAllocator.roundUp((1L << 20) + 1));
        DryRunDevice d = new DryRunDevice();
        DeviceAllocator a = new DeviceAllocator(d);
        long x = a.allocate(1000);
        a.release(x, DeviceAllocator.roundUp(1000));
        assertEquals(x, a.allocate(900), "same size class reuses the block");
        assertEquals(1, a.driverAllocations());
        assertEquals(1024, a.bytesInUse());
        long y = a.allocate(5000);
        a.release(y, DeviceAllocator.roundUp(5000));
        assertEquals(DeviceAllocator.roundUp(5000), a.bytesCached());
        a.trim();
        assertEquals(0, a.bytesCached());
        assertTrue(!d.inside(y, 1), "trim frees cached blocks");
    }

    @Test
    void aFullDeviceGetsTheCacheBackBeforeFailing() {
        DryRunDevice inner = new DryRunDevice();
        int[] budget = {2};
        Device tight = new DryRunDevice() {
            @Override
            public long allocate(long bytes) {
                if (budget[0] == 0) {
                    throw new DeviceOutOfMemoryException("full", 2);
                }
                budget[0]--;
                return inner.allocate(bytes);
            }

            @Override
            public void free(long address) {
                budget[0]++;
                inner.free(address);
            }
        };
        DeviceAllocator a = new DeviceAllocator(tight);
        long x = a.allocate(100);
        long y = a.allocate(100);
        a.release(x, 512);
        a.release(y, 512);
        a.allocate(4096); // two cached small blocks are handed back to make room
        assertEquals(0, a.bytesCached());
        a.allocate(8192); // the last free slot
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> a.allocate(16384));
        assertTrue(e.getMessage().contains("out of GPU memory"), e.getMessage());
    }

    @Test
    void loneProductsWithFewTilesAndADeepKAreSplitAlongK() {
        int sms = 132;
        // ESVAE's weight gradients on an H200: one 64 x 64 tile over a million positions, five tiles over 262,144
        assertEquals(264, CudaGemm.splitsFor(32, 27, 1 << 20, 1, 64, sms), "two blocks per SM");
        assertEquals(53, CudaGemm.splitsFor(64, 288, 1 << 18, 1, 64, sms), "5 tiles x 53 slices = 265 blocks");
        assertEquals(4, CudaGemm.splitsFor(37, 53, 4097, 1, 64, sms), "slices at least 1024 deep");
        assertEquals(1, CudaGemm.splitsFor(37, 53, 2047, 1, 64, sms), "too shallow for two slices");
        assertEquals(1, CudaGemm.splitsFor(37, 53, 1 << 20, 2, 64, sms), "batches are not split");
        assertEquals(1, CudaGemm.splitsFor(64 * 12, 64 * 11, 1 << 20, 1, 64, sms), "132 tiles fill the SMs");
        // the workspace cap: 2048 x 64 outputs (32 tiles) take 512 KiB a slice, so at most 128 slices
        assertEquals(9, CudaGemm.splitsFor(2048, 64, 1 << 20, 1, 64, sms), "ceil(264 / 32) slices");
        assertEquals(128, CudaGemm.splitsFor(2048, 64, 1 << 20, 1, 64, 8192), "64 MiB of partial products");
    }

    @Test
    void fewOutputsOfManyTermsAreSummedInParts() {
        int sms = 132;
        assertEquals(88, LayoutKernels.partsFor(3, 4096L * 1024, sms), "a 3-channel bias gradient: 264 blocks");
        assertEquals(4, LayoutKernels.partsFor(3, 70035, sms), "runs of at least 16,384 terms");
        assertEquals(1, LayoutKernels.partsFor(3, 16383, sms), "too few terms to cut");
        assertEquals(1, LayoutKernels.partsFor(264, 1L << 30, sms), "as many outputs as two blocks per SM");
        assertEquals(2, LayoutKernels.partsFor(263, 1L << 30, sms));
        assertEquals(1, LayoutKernels.partsFor(0, 1L << 30, sms));
    }
}
