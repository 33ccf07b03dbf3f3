package dev.spikevae.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed SGEMM on the Vector API. op(A) is packed into row panels of {@code mr} rows (8, or 6 with AVX2, 4 there on
 * Java 25: {@link #DEFAULT_ROWS}) and op(B) into column panels of {@link #NR} columns (two vectors of the preferred
 * species: 32 floats with AVX-512), both zero-padded at the edges, so one register-blocked micro-kernel of {@code mr
 * x NR} accumulators computes every tile into a scratch tile, of which only the valid part is written back to C.
 *
 * <p>Blocking: a {@code kc x nc} block of op(B) is packed once and reused for every row block; for each
 * {@code mc x kc} block of op(A) the micro-panel of A (mr x kc, a few KiB) stays in L1 while the
 * B panels stream from L2. Every element of C is the sum of its kc-blocks in k order, each block a
 * chain of fused multiply-adds from zero, so its value does not depend on which tile or thread made it.
 *
 * <p>Measured on the 2-core AVX-512 EPYC (L1d 32 KiB, L2 1 MiB per core): kc 256, mc 256, nc 1024
 * run about as fast as kc 512 / mc 64 / nc 512 and ahead of smaller kc; the properties
 * {@code spikevae.sgemm.kc|mc|nc} override them for tuning on other machines.
 */
final class SgemmVectorKernel implements SgemmKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /**
     * Rows of the register block unless told otherwise: 8 where there are 32 vector registers (AVX-512: 16
     * accumulators, 2 B vectors and a broadcast), 6 where there are 16 (AVX2: 12 accumulators, so that all of them,
     * the B vectors and the broadcast stay in registers), and 4 there on Java 25 or later, whose C2 (25.0.3) spills
     * one of them once 13 vectors are live in the loop: the 6-row block then runs at half the speed of the 4-row one
     * (docs/benchmarks.md, "Java 25 on the machine without AVX-512"). The property {@code spikevae.sgemm.mr} (4, 6
     * or 8) overrides it. The row block does not change any sum: every element of C is the same chain of fused
     * multiply-adds in k order whichever block computes it.
     */
    static final int DEFAULT_ROWS = rowsFor(LANES, Integer.getInteger("spikevae.sgemm.mr", 0),
            Runtime.version().feature());
    static final int NR = 2 * LANES;

    static final int KC = Math.max(1, Integer.getInteger("spikevae.sgemm.kc", 256));
    private static final int MC_REQUESTED = Integer.getInteger("spikevae.sgemm.mc", 256);
    static final int NC = roundUp(Integer.getInteger("spikevae.sgemm.nc", 1024), NR);

    /** Rows of this kernel's register block (4, 6 or 8) and of its A blocks (a multiple of it). */
    private final int mr;
    private final int mcMax;

    /** Write-back modes of a tile: the first kc-block overwrites or scales C, later ones add to it. */
    private static final int OVERWRITE = 0;
    private static final int SCALE = 1;
    private static final int ACCUMULATE = 2;

    /** Packing buffers and the write-back tile of one thread. */
    private static final class Scratch {
        final float[] aPack;
        final float[] bPack = new float[KC * NC];
        final float[] tile;
        private float[] bAll = new float[0];
        private float[] strip = new float[0];

        Scratch(int mcMax, int mr) {
            aPack = new float[mcMax * KC];
            tile = new float[mr * NR];
        }

        /** op(B) packed whole, for the sink form. */
        float[] bAll(int size) {
            if (bAll.length < size) {
                bAll = new float[size];
            }
            return bAll;
        }

        /** mr rows of C across all columns, for the sink form. */
        float[] strip(int size) {
            if (strip.length < size) {
                strip = new float[size];
            }
            return strip;
        }
    }

    private final ThreadLocal<Scratch> scratch;

    /** The kernel with the machine's register block ({@link #DEFAULT_ROWS}). */
    SgemmVectorKernel() {
        this(DEFAULT_ROWS);
    }

    /** The kernel with a register block of {@code rows} (4, 6 or 8) rows. */
    SgemmVectorKernel(int rows) {
        this.mr = rowsFor(LANES, rows, Runtime.version().feature());
        this.mcMax = roundUp(MC_REQUESTED, mr);
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(mcMax, mr));
    }

    /**
     * The register block's rows for vectors of {@code lanes} floats on a Java {@code feature} release, or the {@code
     * requested} 4, 6 or 8 (0: choose, {@link #DEFAULT_ROWS}).
     */
    static int rowsFor(int lanes, int requested, int feature) {
        if (requested == 4 || requested == 6 || requested == 8) {
            return requested;
        }
        if (requested != 0) {
            throw new IllegalArgumentException("spikevae.sgemm.mr must be 4, 6 or 8, got " + requested);
        }
        if (lanes >= 16) {
            return 8;
        }
        return feature >= 25 ? 4 : 6;
    }

    private static int roundUp(int v, int multiple) {
        return Math.max(multiple, (v + multiple - 1) / multiple * multiple);
    }

    @Override
    public int rowBlock() {
        return mr;
    }

    @Override
    public int columnBlock() {
        return NR;
    }

    @Override
    public boolean vectorApi() {
        return true;
    }

    @Override
    public String description() {
        return "Vector API SGEMM, " + mr + "x" + NR + " register block, kc " + KC + ", mc " + mcMax + ", nc " + NC;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int offA, int lda,
                     float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        run(transA, m, n, k, alpha, a, offA, lda, (pc, kc, jc, nc, bPack) -> packB(transB, b, offB, ldb, pc, kc, jc, nc,
                bPack), beta, c, offC, ldc);
    }

    @Override
    public void gemm(boolean transA, int m, int n, int k, float alpha, float[] a, int offA, int lda, GemmSource b,
                     float beta, float[] c, int offC, int ldc) {
        run(transA, m, n, k, alpha, a, offA, lda, (pc, kc, jc, nc, bPack) -> packB(b, pc, kc, jc, nc, bPack), beta, c,
                offC, ldc);
    }

    /**
     * With a sink (k <= KC, one kc-block): the whole of op(B) is packed once (k x n, at most a few MB for a
     * convolution chunk), then each row panel of mr rows is computed across all n columns into a strip and
     * handed over, so the sink sees whole rows in ascending order.
     */
    @Override
    public void gemm(boolean transA, int m, int n, int k, float alpha, float[] a, int offA, int lda, GemmSource b,
                     GemmSink sink) {
        if (k > KC) {
            throw new IllegalArgumentException("k " + k + " exceeds the sink depth " + KC);
        }
        Scratch s = scratch.get();
        float[] bAll = s.bAll(k * roundUp(n, NR));
        packB(b, 0, k, 0, n, bAll);
        float[] strip = s.strip(mr * n);
        for (int ic = 0; ic < m; ic += mcMax) {
            int mc = Math.min(mcMax, m - ic);
            packA(transA, a, offA, lda, ic, mc, 0, k, s.aPack, mr);
            for (int ir = 0; ir < mc; ir += mr) {
                int rows = Math.min(mr, mc - ir);
                for (int jr = 0; jr < n; jr += NR) {
                    int cols = Math.min(NR, n - jr);
                    if (alpha == 1f && cols == NR) {
                        microKernel(mr, k, s.aPack, ir * k, bAll, jr * k, strip, jr, n);
                        continue;
                    }
                    microKernel(mr, k, s.aPack, ir * k, bAll, jr * k, s.tile);
                    for (int r = 0; r < rows; r++) {
                        if (alpha == 1f) {
                            System.arraycopy(s.tile, r * NR, strip, r * n + jr, cols);
                        } else {
                            for (int j = 0; j < cols; j++) {
                                strip[r * n + jr + j] = s.tile[r * NR + j] * alpha; // as OVERWRITE stores it
                            }
                        }
                    }
                }
                sink.accept(ic + ir, rows, 0, n, strip, 0, n);
            }
        }
    }

    @Override
    public int sinkDepth() {
        return KC;
    }

    /** Packs rows [pc, pc+kc) x columns [jc, jc+nc) of op(B) into panels of NR columns, each [kc][NR]. */
    @FunctionalInterface
    private interface BPacker {
        void pack(int pc, int kc, int jc, int nc, float[] bPack);
    }

    /** The blocked loop nest over C. */
    private void run(boolean transA, int m, int n, int k, float alpha, float[] a, int offA, int lda, BPacker packer,
                     float beta, float[] c, int offC, int ldc) {
        Scratch s = scratch.get();
        float[] aPack = s.aPack;
        float[] bPack = s.bPack;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packer.pack(pc, kc, jc, nc, bPack);
                int mode = pc > 0 ? ACCUMULATE : beta == 0f ? OVERWRITE : SCALE;
                for (int ic = 0; ic < m; ic += mcMax) {
                    int mc = Math.min(mcMax, m - ic);
                    packA(transA, a, offA, lda, ic, mc, pc, kc, aPack, mr);
                    int cBlock = offC + ic * ldc + jc;
                    for (int ir = 0; ir < mc; ir += mr) {
                        for (int jr = 0; jr < nc; jr += NR) {
                            tile(mr, kc, aPack, ir * kc, bPack, jr * kc, c, cBlock + ir * ldc + jr, ldc,
                                    Math.min(mr, mc - ir), Math.min(NR, nc - jr), alpha, beta, mode, s.tile);
                        }
                    }
                }
            }
        }
    }

    /** Packs op(B) from a source, panel by panel, zero-padding the last panel. */
    private static void packB(GemmSource b, int pc, int kc, int jc, int nc, float[] bPack) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int base = jr * kc;
            b.block(pc, kc, jc + jr, cols, bPack, base, NR);
            if (cols < NR) {
                for (int p = 0; p < kc; p++) {
                    for (int j = cols; j < NR; j++) {
                        bPack[base + p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    private static void tile(int mr, int kc, float[] aPack, int aOff, float[] bPack, int bOff, float[] c, int cOff,
                             int ldc, int rows, int cols, float alpha, float beta, int mode, float[] tile) {
        microKernel(mr, kc, aPack, aOff, bPack, bOff, tile);
        if (cols == NR) {
            FloatVector alphas = FloatVector.broadcast(SPECIES, alpha);
            for (int r = 0; r < rows; r++) {
                int ci = cOff + r * ldc;
                int ti = r * NR;
                writeVector(FloatVector.fromArray(SPECIES, tile, ti), c, ci, alphas, beta, mode);
                writeVector(FloatVector.fromArray(SPECIES, tile, ti + LANES), c, ci + LANES, alphas, beta, mode);
            }
            return;
        }
        // The scalar form of writeVector (fma is fused in both), so edge tiles match full ones bit for bit.
        for (int r = 0; r < rows; r++) {
            int ci = cOff + r * ldc;
            int ti = r * NR;
            for (int j = 0; j < cols; j++) {
                float acc = tile[ti + j];
                c[ci + j] = switch (mode) {
                    case OVERWRITE -> acc * alpha;
                    case SCALE -> Math.fma(acc, alpha, c[ci + j] * beta);
                    default -> Math.fma(acc, alpha, c[ci + j]);
                };
            }
        }
    }

    private static void writeVector(FloatVector acc, float[] c, int off, FloatVector alphas, float beta, int mode) {
        if (mode == OVERWRITE) {
            acc.mul(alphas).intoArray(c, off);
        } else {
            FloatVector old = FloatVector.fromArray(SPECIES, c, off);
            if (mode == SCALE) {
                old = old.mul(beta);
            }
            acc.fma(alphas, old).intoArray(c, off);
        }
    }

    /** Packs rows [ic, ic+mc) x columns [pc, pc+kc) of op(A) as panels of mr rows, each [kc][mr], zero-padded. */
    private static void packA(boolean transA, float[] a, int offA, int lda, int ic, int mc, int pc, int kc, float[] aPack,
                              int mr) {
        for (int ir = 0; ir < mc; ir += mr) {
            int rows = Math.min(mr, mc - ir);
            int base = ir * kc;
            if (!transA) {
                for (int r = 0; r < rows; r++) {
                    int src = offA + (ic + ir + r) * lda + pc;
                    int dst = base + r;
                    for (int p = 0; p < kc; p++) {
                        aPack[dst + p * mr] = a[src + p];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = offA + (pc + p) * lda + ic + ir;
                    int dst = base + p * mr;
                    for (int r = 0; r < rows; r++) {
                        aPack[dst + r] = a[src + r];
                    }
                }
            }
            if (rows < mr) {
                for (int p = 0; p < kc; p++) {
                    for (int r = rows; r < mr; r++) {
                        aPack[base + p * mr + r] = 0f;
                    }
                }
            }
        }
    }

    /** Packs rows [pc, pc+kc) x columns [jc, jc+nc) of op(B) as panels of NR columns, each [kc][NR], zero-padded. */
    private static void packB(boolean transB, float[] b, int offB, int ldb, int pc, int kc, int jc, int nc, float[] bPack) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int base = jr * kc;
            if (!transB) {
                int src = offB + pc * ldb + jc + jr;
                if (cols == NR) {
                    for (int p = 0; p < kc; p++) {
                        int s = src + p * ldb;
                        int d = base + p * NR;
                        FloatVector.fromArray(SPECIES, b, s).intoArray(bPack, d);
                        FloatVector.fromArray(SPECIES, b, s + LANES).intoArray(bPack, d + LANES);
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int s = src + p * ldb;
                        int d = base + p * NR;
                        for (int j = 0; j < cols; j++) {
                            bPack[d + j] = b[s + j];
                        }
                        for (int j = cols; j < NR; j++) {
                            bPack[d + j] = 0f;
                        }
                    }
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    int s = offB + (jc + jr + j) * ldb + pc;
                    int d = base + j;
                    for (int p = 0; p < kc; p++) {
                        bPack[d + p * NR] = b[s + p];
                    }
                }
                if (cols < NR) {
                    for (int p = 0; p < kc; p++) {
                        for (int j = cols; j < NR; j++) {
                            bPack[base + p * NR + j] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** The mr x NR register block over packed panels (mr 4, 6 or 8), into {@code tile} ([mr][NR]). */
    static void microKernel(int mr, int kc, float[] ap, int aOff, float[] bp, int bOff, float[] tile) {
        microKernel(mr, kc, ap, aOff, bp, bOff, tile, 0, NR);
    }

    /**
     * The register block stored straight into rows of a matrix: row r at {@code c[cOff + r * ldc]}, NR floats, all mr
     * rows (the caller has them). Where a tile would only be copied on whole, this saves the copy; the values are the
     * tile's.
     */
    static void microKernel(int mr, int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc) {
        if (mr == 8) {
            microKernel8(kc, ap, aOff, bp, bOff, c, cOff, ldc);
        } else if (mr == 4) {
            microKernel4(kc, ap, aOff, bp, bOff, c, cOff, ldc);
        } else {
            microKernel6(kc, ap, aOff, bp, bOff, c, cOff, ldc);
        }
    }

    /**
     * {@link #microKernel6} (or, {@code mr} 4, {@link #microKernel4}) with A read as {@code mr} rows instead of a
     * packed panel: row r's k-th value at {@code a[aOff + r * lda + k]}. The same fused multiply-adds in the same
     * order (the same bits); for {@link DirectConv}'s weight gradient, whose rows (kernel taps over a block of output
     * positions) are vector copies from the staged images, where the packed panel's [k][mr] order would be a
     * transpose.
     */
    static void microKernelRows(int mr, int kc, float[] a, int aOff, int lda, float[] bp, int bOff, float[] tile) {
        if (mr == 4) {
            microKernelRows4(kc, a, aOff, lda, bp, bOff, tile);
        } else {
            microKernelRows6(kc, a, aOff, lda, bp, bOff, tile);
        }
    }

    private static void microKernelRows6(int kc, float[] a, int aOff, int lda, float[] bp, int bOff, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        FloatVector c51 = FloatVector.zero(SPECIES);
        int a0 = aOff;
        int a1 = aOff + lda;
        int a2 = aOff + 2 * lda;
        int a3 = aOff + 3 * lda;
        int a4 = aOff + 4 * lda;
        int a5 = aOff + 5 * lda;
        int bi = bOff;
        for (int p = 0; p < kc; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + LANES);
            FloatVector v0 = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = v0.fma(b0, c00);
            c01 = v0.fma(b1, c01);
            FloatVector v1 = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = v1.fma(b0, c10);
            c11 = v1.fma(b1, c11);
            FloatVector v2 = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = v2.fma(b0, c20);
            c21 = v2.fma(b1, c21);
            FloatVector v3 = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = v3.fma(b0, c30);
            c31 = v3.fma(b1, c31);
            FloatVector v4 = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c40 = v4.fma(b0, c40);
            c41 = v4.fma(b1, c41);
            FloatVector v5 = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c50 = v5.fma(b0, c50);
            c51 = v5.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, LANES);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + LANES);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + LANES);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + LANES);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + LANES);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + LANES);
    }

    /** {@link #microKernelRows} for 4 rows: {@link #microKernel4} with A read as four rows (the same bits). */
    private static void microKernelRows4(int kc, float[] a, int aOff, int lda, float[] bp, int bOff, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        int a0 = aOff;
        int a1 = aOff + lda;
        int a2 = aOff + 2 * lda;
        int a3 = aOff + 3 * lda;
        int bi = bOff;
        for (int p = 0; p < kc; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + LANES);
            FloatVector v0 = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = v0.fma(b0, c00);
            c01 = v0.fma(b1, c01);
            FloatVector v1 = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = v1.fma(b0, c10);
            c11 = v1.fma(b1, c11);
            FloatVector v2 = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = v2.fma(b0, c20);
            c21 = v2.fma(b1, c21);
            FloatVector v3 = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = v3.fma(b0, c30);
            c31 = v3.fma(b1, c31);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, LANES);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + LANES);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + LANES);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + LANES);
    }

    /**
     * The 4 x NR register block: {@link #microKernel8}'s first four rows, for {@link DirectConv}'s last rows of output
     * channels (32 channels as four panels of 6 and two of 4 instead of six of 6, two of whose twelve computed rows
     * are discarded). Its 8 accumulators take about 1.1 times as long per multiply-add as the 6-row block's 12 (in
     * cache, K = 27 to 288), so a panel of 4 costs about 4.4 rows of a panel of 6. Each row is the same chain of
     * fused multiply-adds as in the 6- and 8-row blocks: the same bits.
     */
    private static void microKernel4(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff,
                                     int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        int ai = aOff;
        int bi = bOff;
        for (int p = 0; p < kc; p++, ai += 4, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + LANES);
            FloatVector a0 = FloatVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + LANES);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + LANES);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + LANES);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + LANES);
    }

    /** The 6 x NR register block: {@link #microKernel8} without its last two rows. */
    private static void microKernel6(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff,
                                     int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        FloatVector c51 = FloatVector.zero(SPECIES);
        int ai = aOff;
        int bi = bOff;
        for (int p = 0; p < kc; p++, ai += 6, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + LANES);
            FloatVector a0 = FloatVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + LANES);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + LANES);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + LANES);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + LANES);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + LANES);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + LANES);
    }

    /**
     * The 8 x NR register block: 16 accumulators (with AVX-512), each started by its own zero() call
     * (a shared zero vector makes C2 box the accumulators), fed by one broadcast of A per row and two
     * vector loads of B per k step.
     */
    private static void microKernel8(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff,
                                     int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        FloatVector c51 = FloatVector.zero(SPECIES);
        FloatVector c60 = FloatVector.zero(SPECIES);
        FloatVector c61 = FloatVector.zero(SPECIES);
        FloatVector c70 = FloatVector.zero(SPECIES);
        FloatVector c71 = FloatVector.zero(SPECIES);
        int ai = aOff;
        int bi = bOff;
        for (int p = 0; p < kc; p++, ai += 8, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + LANES);
            FloatVector a0 = FloatVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(SPECIES, ap[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, ap[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        // Usually through a scratch tile: one write-back routine then serves full and edge tiles, and the
        // micro-kernel stays small enough for C2 to keep every accumulator in a register.
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + LANES);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + LANES);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + LANES);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + LANES);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + LANES);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + LANES);
        c60.intoArray(c, cOff + 6 * ldc);
        c61.intoArray(c, cOff + 6 * ldc + LANES);
        c70.intoArray(c, cOff + 7 * ldc);
        c71.intoArray(c, cOff + 7 * ldc + LANES);
    }

    /**
     * {@link #microKernel} with B read straight from two runs of a staged image instead of a packed panel: the k-th
     * row of B is the vectors at {@code xs[at0 + offsets[kb + k]]} and {@code xs[at1 + offsets[kb + k]]} (what {@link
     * DirectConv}'s forward would otherwise copy into the panel, one tap a row). The same fused multiply-adds in the
     * same order, so the same bits as the packed panel; one index load a k more, and no panel written and read back.
     */
    static void microKernelTaps(int mr, int kc, float[] ap, int aOff, float[] xs, int at0, int at1, int[] offsets,
                                int kb, float[] c, int cOff, int ldc) {
        if (mr == 8) {
            microKernel8Taps(kc, ap, aOff, xs, at0, at1, offsets, kb, c, cOff, ldc);
        } else if (mr == 4) {
            microKernel4Taps(kc, ap, aOff, xs, at0, at1, offsets, kb, c, cOff, ldc);
        } else {
            microKernel6Taps(kc, ap, aOff, xs, at0, at1, offsets, kb, c, cOff, ldc);
        }
    }

    private static void microKernel8Taps(int kc, float[] ap, int aOff, float[] xs, int at0, int at1, int[] offsets,
                                         int kb, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        FloatVector c51 = FloatVector.zero(SPECIES);
        FloatVector c60 = FloatVector.zero(SPECIES);
        FloatVector c61 = FloatVector.zero(SPECIES);
        FloatVector c70 = FloatVector.zero(SPECIES);
        FloatVector c71 = FloatVector.zero(SPECIES);
        int ai = aOff;
        for (int p = 0; p < kc; p++, ai += 8) {
            int o = offsets[kb + p];
            FloatVector b0 = FloatVector.fromArray(SPECIES, xs, at0 + o);
            FloatVector b1 = FloatVector.fromArray(SPECIES, xs, at1 + o);
            FloatVector a0 = FloatVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(SPECIES, ap[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, ap[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + LANES);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + LANES);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + LANES);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + LANES);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + LANES);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + LANES);
        c60.intoArray(c, cOff + 6 * ldc);
        c61.intoArray(c, cOff + 6 * ldc + LANES);
        c70.intoArray(c, cOff + 7 * ldc);
        c71.intoArray(c, cOff + 7 * ldc + LANES);
    }

    private static void microKernel6Taps(int kc, float[] ap, int aOff, float[] xs, int at0, int at1, int[] offsets,
                                         int kb, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        FloatVector c51 = FloatVector.zero(SPECIES);
        int ai = aOff;
        for (int p = 0; p < kc; p++, ai += 6) {
            int o = offsets[kb + p];
            FloatVector b0 = FloatVector.fromArray(SPECIES, xs, at0 + o);
            FloatVector b1 = FloatVector.fromArray(SPECIES, xs, at1 + o);
            FloatVector a0 = FloatVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + LANES);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + LANES);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + LANES);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + LANES);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + LANES);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + LANES);
    }

    private static void microKernel4Taps(int kc, float[] ap, int aOff, float[] xs, int at0, int at1, int[] offsets,
                                         int kb, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        int ai = aOff;
        for (int p = 0; p < kc; p++, ai += 4) {
            int o = offsets[kb + p];
            FloatVector b0 = FloatVector.fromArray(SPECIES, xs, at0 + o);
            FloatVector b1 = FloatVector.fromArray(SPECIES, xs, at1 + o);
            FloatVector a0 = FloatVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + LANES);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + LANES);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + LANES);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + LANES);
    }
}
