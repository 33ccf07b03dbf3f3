package dev.spikevae.backend.cuda;

import dev.spikevae.backend.cuda.EmulatedDevice.Schedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The emulator itself, with its own kernels (src/test/native/cuda-emu/selftest): the four shuffle kinds under
 * shfl.sync's width rules, partial masks, votes, block barriers and their reductions, what each schedule does to a
 * missing barrier, the reports of a deadlock and of misused collectives, PTX float-to-int conversions, TF32
 * rounding, and spikevae.cuh's block sum (every thread receives the total). Expected values come from the rules
 * as the CUDA documentation states them, computed here independently of the emulator's code.
 */
class EmulatorSelfTest {

    @ParameterizedTest
    @EnumSource(Schedule.class)
    void everyShuffleKindFollowsTheWidthAndRangeRules(Schedule schedule) {
        EmulatorRun e = EmulatorRun.on(schedule);
        int n = 64;  // two warps: a shuffle never crosses into the other warp
        long ints = e.ints(4 * n);
        long doubles = e.device.allocate(8L * 4 * n);
        for (int width : new int[] {32, 16, 8, 4, 2, 1}) {
            for (int arg : new int[] {0, 1, 3, 5, 17, 31, -3}) {
                e.kernel("emu_shuffles").i32(arg).i32(width).ptr(ints).ptr(doubles).run(1, n);
                int[] gotInt = e.readInts(ints, 4 * n);
                double[] gotDouble = e.readDoubles(doubles, 4 * n);
                int b = arg & 31;  // shfl.sync uses the low 5 bits of the lane or offset operand
                for (int t = 0; t < n; t++) {
                    int lane = t & 31;
                    int[] src = {
                        (lane / width) * width + (b & (width - 1)),                  // __shfl_sync: within the segment
                        lane % width >= b ? lane - b : lane,                         // __shfl_up_sync
                        lane % width + b < width ? lane + b : lane,                  // __shfl_down_sync
                        (lane ^ b) <= (lane | (width - 1)) ? lane ^ b : lane         // __shfl_xor_sync: not a later segment
                    };
                    for (int kind = 0; kind < 4; kind++) {
                        String what = "kind " + kind + ", width " + width + ", arg " + arg + ", thread " + t;
                        assertEquals(100 + src[kind], gotInt[kind * n + t], what);
                        assertEquals(0.5 + src[kind], gotDouble[kind * n + t], what + " (double)");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Schedule.class)
    void aPartialMaskSynchronisesOnlyTheLanesItNames(Schedule schedule) {
        EmulatorRun e = EmulatorRun.on(schedule);
        long out = e.ints(32);
        e.kernel("emu_partial_mask").ptr(out).run(1, 32);
        int[] got = e.readInts(out, 32);
        for (int lane = 0; lane < 32; lane++) {
            int expected = lane < 15 ? 10 * (lane + 1) : 10 * lane;  // lane 15 is the last of its width-16 segment
            assertEquals(expected, got[lane], "lane " + lane);
        }
    }

    @ParameterizedTest
    @EnumSource(Schedule.class)
    void votesSeeEveryLaneOfTheirMask(Schedule schedule) {
        EmulatorRun e = EmulatorRun.on(schedule);
        long out = e.ints(6 * 32);
        e.kernel("emu_votes").ptr(out).run(1, 32);
        int[] got = e.readInts(out, 6 * 32);
        int everyThird = 0;
        for (int lane = 0; lane < 32; lane += 3) {
            everyThird |= 1 << lane;
        }
        for (int lane = 0; lane < 32; lane++) {
            assertEquals(everyThird, got[lane], "ballot");
            assertEquals(1, got[32 + lane], "all(true)");
            assertEquals(0, got[64 + lane], "all(lane != 5)");
            assertEquals(1, got[96 + lane], "any(lane == 31)");
            assertEquals(0, got[128 + lane], "any(false)");
            assertEquals(lane < 16 ? 0xaaaa : -1, got[160 + lane], "ballot over mask 0x0000ffff");
        }
    }

    @ParameterizedTest
    @EnumSource(Schedule.class)
    void aBarrierMakesEveryWriteVisibleToEveryThread(Schedule schedule) {
        EmulatorRun e = EmulatorRun.on(schedule);
        int n = 96;
        long out = e.ints(3 * n);
        e.kernel("emu_neighbour").ptr(out).i32(1).i32(100 + schedule.ordinal()).run(3, n);
        int[] got = e.readInts(out, 3 * n);
        for (int i = 0; i < 3 * n; i++) {
            assertEquals(7 * ((i % n + 1) % n) + 100 + schedule.ordinal(), got[i], "thread " + i);
        }
    }

    @Test
    void eachScheduleExposesAMissingBarrier() {
        int n = 96;
        for (Schedule s : new Schedule[] {Schedule.IN_ORDER, Schedule.REVERSED}) {
            EmulatorRun e = EmulatorRun.on(s);
            long out = e.ints(n);
            int token = 200 + s.ordinal();
            e.kernel("emu_neighbour").ptr(out).i32(0).i32(token).run(1, n);
            int[] got = e.readInts(out, n);
            int wrong = 0;
            for (int t = 0; t < n; t++) {
                wrong += got[t] == 7 * ((t + 1) % n) + token ? 0 : 1;
            }
            // in order, every thread but the last reads its neighbour before the neighbour wrote; reversed, the last
            assertEquals(s == Schedule.IN_ORDER ? n - 1 : 1, wrong, s.label());
        }
    }

    @Test
    void aBugThatOneOrderHidesTheOtherShows() {
        int n = 64;
        EmulatorRun inOrder = EmulatorRun.on(Schedule.IN_ORDER);
        long out = inOrder.ints(n);
        inOrder.kernel("emu_broadcast_without_barrier").i32(1234).ptr(out).run(1, n);
        int[] hidden = inOrder.readInts(out, n);
        for (int t = 0; t < n; t++) {
            assertEquals(1234, hidden[t], "in order, thread 0 publishes before anyone reads");
        }
        EmulatorRun reversed = EmulatorRun.on(Schedule.REVERSED);
        long out2 = reversed.ints(n);
        reversed.kernel("emu_broadcast_without_barrier").i32(5678).ptr(out2).run(1, n);
        int[] exposed = reversed.readInts(out2, n);
        assertEquals(5678, exposed[0]);
        for (int t = 1; t < n; t++) {
            assertNotEquals(5678, exposed[t], "reversed, thread " + t + " reads before thread 0 writes");
        }
    }

    @ParameterizedTest
    @EnumSource(Schedule.class)
    void barrierReductionsCountEveryThreadAndExitedThreadsCountAsArrived(Schedule schedule) {
        EmulatorRun e = EmulatorRun.on(schedule);
        int n = 64;
        long out = e.ints(5 * n);
        e.kernel("emu_barrier_reductions").ptr(out).i32(40).run(1, n);
        int[] got = e.readInts(out, 5 * n);
        for (int t = 0; t < n; t++) {
            assertEquals(22, got[t], "count of t % 3 == 0 over 64 threads");
            assertEquals(0, got[n + t], "and");
            assertEquals(1, got[2 * n + t], "or");
            assertEquals(1, got[3 * n + t], "and(true)");
            assertEquals(t < 40 ? 1 : -1, got[4 * n + t], "past the barrier (threads >= 40 returned)");
        }
    }

    @Test
    void aDeadlockIsReportedWithTheKernelAndWhereEachThreadWaits() {
        EmulatorRun e = EmulatorRun.on(Schedule.IN_ORDER);
        long out = e.ints(64);
        CudaException x = assertThrows(CudaException.class, () -> e.kernel("emu_deadlock").ptr(out).run(1, 64));
        String m = x.getMessage();
        assertTrue(m.contains("emulated CUDA kernel emu_deadlock (grid 1x1x1, block 64"), m);
        assertTrue(m.contains("block (0,0,0): deadlock: threads 0-15 wait at __shfl_down_sync (mask 0xffffffff), "
                + "threads 16-31 wait at __syncthreads, threads 32-47 wait at __shfl_down_sync (mask 0xffffffff), "
                + "threads 48-63 wait at __syncthreads; 0 of 64 exited"), m);
        // the device is usable after a failed launch
        e.kernel("emu_neighbour").ptr(out).i32(1).i32(300).run(1, 64);
        assertEquals(7 * 1 + 300, e.readInts(out, 1)[0]);
    }

    @Test
    void misusedCollectivesAreReported() {
        EmulatorRun e = EmulatorRun.on(Schedule.IN_ORDER);
        long out = e.ints(32);
        String exited = assertThrows(CudaException.class,
                () -> e.kernel("emu_shuffle_from_exited").ptr(out).run(1, 32)).getMessage();
        assertTrue(exited.contains("thread 8 reads lane 16 in __shfl_down_sync, which has exited"), exited);
        String mask = assertThrows(CudaException.class,
                () -> e.kernel("emu_mask_without_caller").ptr(out).run(1, 32)).getMessage();
        assertTrue(mask.contains("thread 0 calls __shfl_down_sync with mask 0xfffffffe, which does not name its own lane 0"),
                mask);
        String trap = assertThrows(CudaException.class, () -> e.kernel("emu_trap").ptr(out).run(2, 32)).getMessage();
        assertTrue(trap.contains("emu_trap") && trap.contains("thread 3: __trap() called"), trap);
    }

    @Test
    void floatToIntConversionsFollowPtx() {
        EmulatorRun e = EmulatorRun.on(Schedule.IN_ORDER);
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 0.5f, -0.5f, 1.5f, 2.5f,
            -1.5f, -2.5f, 123.999f, -123.999f, 2147483520f, 2147483648f, -2147483648f, -2147483904f, 3e9f, -3e9f,
            4294967040f, 4294967296f, 1e-30f, Float.MIN_VALUE, -Float.MIN_VALUE, 255.9f, 256f};
        int n = x.length;
        long in = e.floats(x);
        long rz = e.ints(n);
        long rn = e.ints(n);
        long rd = e.ints(n);
        long ru = e.ints(n);
        long urz = e.ints(n);
        e.kernel("emu_float_to_int").ptr(in).i32(n).ptr(rz).ptr(rn).ptr(rd).ptr(ru).ptr(urz).run(1, 32);
        int[] gotRz = e.readInts(rz, n);
        int[] gotRn = e.readInts(rn, n);
        int[] gotRd = e.readInts(rd, n);
        int[] gotRu = e.readInts(ru, n);
        int[] gotUrz = e.readInts(urz, n);
        for (int i = 0; i < n; i++) {
            // Java's float -> int is PTX's cvt.rzi.s32.f32: toward zero, NaN to 0, saturating (JLS 5.1.3)
            String what = "x = " + x[i];
            assertEquals((int) x[i], gotRz[i], "rz " + what);
            assertEquals((int) Math.rint(x[i]), gotRn[i], "rn " + what);
            assertEquals((int) Math.floor(x[i]), gotRd[i], "rd " + what);
            assertEquals((int) Math.ceil(x[i]), gotRu[i], "ru " + what);
            long u = Float.isNaN(x[i]) ? 0 : Math.max(0, Math.min(0xFFFFFFFFL, (long) x[i]));
            assertEquals((int) u, gotUrz[i], "urz " + what);
        }
        assertEquals(0, gotRz[0], "NaN");
        assertEquals(Integer.MAX_VALUE, gotRz[17], "3e9 saturates");
        assertEquals(2, gotRn[8], "2.5 rounds to even");
        assertEquals(0, gotUrz[23], "-MIN_VALUE truncates to 0 unsigned");
        assertEquals(-1, gotUrz[20], "2^32 saturates to 0xffffffff");
    }

    @Test
    void tf32RoundsToNearestWithTiesAwayFromZero() {
        EmulatorRun e = EmulatorRun.on(Schedule.IN_ORDER);
        float ulp = 0x1p-10f;  // a TF32 ulp at 1
        float[] x = {1f, 1f + ulp / 2, 1f + ulp / 2 - 0x1p-23f, -(1f + ulp / 2), 1f + 3 * ulp / 2, 3.14159265f,
            Float.POSITIVE_INFINITY, Float.NaN, 0f, -0f};
        float[] expected = {1f, 1f + ulp, 1f, -(1f + ulp), 1f + 2 * ulp, 3.140625f, Float.POSITIVE_INFINITY, Float.NaN,
            0f, -0f};
        long in = e.floats(x);
        long out = e.device.allocate(4L * x.length);
        e.kernel("emu_to_tf32").ptr(in).i32(x.length).ptr(out).run(1, 32);
        assertArrayEquals(expected, e.readFloats(out, x.length));
    }

    @ParameterizedTest
    @EnumSource(Schedule.class)
    void theBlockSumGivesEveryThreadTheTotalTwiceInARow(Schedule schedule) {
        EmulatorRun e = EmulatorRun.on(schedule);
        for (int threads : new int[] {32, 64, 96, 256, 1024}) {
            int blocks = 3;
            double[] x = new double[blocks * threads];
            for (int i = 0; i < x.length; i++) {
                x[i] = i % 7 - 3 + 0.25 * (i / threads);
            }
            long in = e.doubles(x);
            long first = e.device.allocate(8L * x.length);
            long second = e.device.allocate(8L * x.length);
            e.kernel("emu_block_sum").ptr(in).ptr(first).ptr(second).run(blocks, threads);
            double[] a = e.readDoubles(first, x.length);
            double[] b = e.readDoubles(second, x.length);
            for (int blk = 0; blk < blocks; blk++) {
                double total = 0;
                for (int t = 0; t < threads; t++) {
                    total += x[blk * threads + t];
                }
                for (int t = 0; t < threads; t++) {
                    String what = threads + " threads, block " + blk + ", thread " + t;
                    assertEquals(total, a[blk * threads + t], what);
                    assertEquals(2 * total + threads, b[blk * threads + t], what + ", second sum");
                }
            }
        }
    }
}
