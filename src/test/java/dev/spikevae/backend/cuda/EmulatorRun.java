package dev.spikevae.backend.cuda;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Device buffers and launches of the emulator's own test kernels, for the emulator's tests. */
final class EmulatorRun {
    final EmulatedDevice device;

    private EmulatorRun(EmulatedDevice device) {
        this.device = device;
    }

    /**
     * An emulated device with the given schedule and two workers; skips the caller where the emulator is not built
     * (fails instead under CI=true, where it must be).
     */
    static EmulatorRun on(EmulatedDevice.Schedule schedule) {
        String why = EmulatedDevice.unavailableReason();
        if (why != null && "true".equals(System.getenv("CI"))) {
            Assertions.fail(why + " (CI=true: the emulator must be built)");
        }
        Assumptions.assumeTrue(why == null, () -> String.valueOf(why));
        return new EmulatorRun(new EmulatedDevice(schedule, 11, 2, 1L << 30));
    }

    long ints(int n) {
        return device.allocate(4L * n);
    }

    long doubles(double... values) {
        long a = device.allocate(8L * values.length);
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        device.copyToDevice(b.array(), 0, a, b.capacity());
        return a;
    }

    long floats(float... values) {
        long a = device.allocate(4L * values.length);
        device.copyToDevice(values, 0, a, values.length);
        return a;
    }

    int[] readInts(long address, int n) {
        byte[] raw = new byte[4 * n];
        device.copyToHost(address, raw, 0, raw.length);
        int[] out = new int[n];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    double[] readDoubles(long address, int n) {
        byte[] raw = new byte[8 * n];
        device.copyToHost(address, raw, 0, raw.length);
        double[] out = new double[n];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        return out;
    }

    float[] readFloats(long address, int n) {
        float[] out = new float[n];
        device.copyToHost(address, out, 0, n);
        return out;
    }

    /** Arguments for one launch of library kernel {@code name}. */
    Launch kernel(String name) {
        Kernel k = device.libraryKernel(name);
        return new Launch(k, k.newArgs().begin());
    }

    final class Launch {
        private final Kernel kernel;
        private final KernelArgs args;

        Launch(Kernel kernel, KernelArgs args) {
            this.kernel = kernel;
            this.args = args;
        }

        Launch i32(int v) {
            args.i32(v);
            return this;
        }

        Launch ptr(long address) {
            args.ptr(address);
            return this;
        }

        void run(int blocks, int threads) {
            device.launch(kernel, new LaunchConfig(blocks, 1, 1, threads), args);
        }
    }
}
