package dev.spikevae.train;

/** The loss became NaN or infinite; training stops without writing a checkpoint of the broken state. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int epoch;
    private final long step;

    public TrainingDivergedException(int epoch, long step, int batch, double loss, double mse, double mmd) {
        super("loss is " + loss + " (mse " + mse + ", mmd " + mmd + ") at epoch " + epoch + ", batch " + batch
                + ", step " + step + "; training stopped");
        this.epoch = epoch;
        this.step = step;
    }

    public int epoch() {
        return epoch;
    }

    public long step() {
        return step;
    }
}
