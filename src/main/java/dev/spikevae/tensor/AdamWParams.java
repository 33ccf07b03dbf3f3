package dev.spikevae.tensor;

/**
 * One AdamW step (Loshchilov and Hutter; PyTorch's {@code torch.optim.AdamW} arithmetic):
 * {@code p -= lr*wd*p; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
 * p -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)}.
 *
 * @param step the 1-based step number t, for the bias corrections
 */
public record AdamWParams(float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
    public AdamWParams {
        if (!(lr >= 0f) || !(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f) || !(eps > 0f)
                || !(weightDecay >= 0f) || step < 1) {
            throw new IllegalArgumentException("invalid AdamW parameters: lr " + lr + ", betas (" + beta1 + ", " + beta2
                    + "), eps " + eps + ", weight decay " + weightDecay + ", step " + step);
        }
    }
}
