package io.ctta.adapters.rmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.ctta.runtime.adapt.GraphScalars;
import java.util.List;

/**
 * The loss terms and the teacher update of RMT (Döbler et al., CVPR 2023; docs/strategies/rmt.md), on DJL arrays.
 * Every result attaches to the manager of its first (per-step) argument; teachers' logits are
 * detached here, so callers cannot forget the stop-gradient.
 */
public final class RmtLosses {

    /** The weight {@code a} of the reverse term in RMT's symmetric cross-entropy (reference: 0.5). */
    public static final float SCE_ALPHA = 0.5f;

    private RmtLosses() {}

    /**
     * Symmetric cross-entropy per sample (as the reference code's {@code SymmetricCrossEntropy} in {@code utils/losses.py}):
     * {@code −(1−a)·Σ_c softmax(z_t)_c·log_softmax(z_s)_c − a·Σ_c softmax(z_s)_c·log_softmax(z_t)_c}.
     * The teacher is not differentiated (stop-gradient); both terms reach the student.
     *
     * @param student student logits (B x C)
     * @param teacher teacher logits (B x C)
     * @param a weight of the reverse term, in [0, 1]
     * @return shape (B)
     */
    public static NDArray symmetricCrossEntropy(NDArray student, NDArray teacher, float a) {
        NDArray logT = teacher.stopGradient().logSoftmax(-1);
        NDArray logS = student.logSoftmax(-1);
        NDArray ce = logS.mul(logT.exp()).sum(new int[] {-1}).neg();
        NDArray reverse = logS.exp().mul(logT).sum(new int[] {-1}).neg();
        return GraphScalars.mul(ce, 1f - a).add(GraphScalars.mul(reverse, a));
    }

    /**
     * RMT's self-training loss (docs/strategies/rmt.md, step 7), a scalar:
     * {@code mean_i [0.5·SCE(z_s,i, z_t,i) + 0.5·SCE(z_sa,i, z_t,i)]} with {@code a = 0.5}.
     *
     * @param student logits of the test images (B x C)
     * @param augmented logits of the augmented test images (B x C)
     * @param teacher teacher logits of the test images (B x C), not differentiated
     */
    public static NDArray selfTraining(NDArray student, NDArray augmented, NDArray teacher) {
        NDArray a = symmetricCrossEntropy(student, teacher, SCE_ALPHA);
        NDArray b = symmetricCrossEntropy(augmented, teacher, SCE_ALPHA);
        return GraphScalars.mul(a.add(b), 0.5f).mean();
    }

    /**
     * The label-free supervised-contrastive loss of RMT (docs/strategies/rmt.md, step 6; "all" anchor
     * mode), a scalar. {@code views} holds {@code k·B} L2-normalised rows ordered view-major: row
     * {@code v·B + i} is view {@code v} of sample {@code i} (RMT: prototype, test, augmented test).
     * For every anchor, the positives are the other views of its sample and the denominator runs
     * over every row except the anchor itself:
     * {@code ℓ_a = −(1/|Pos(a)|) Σ_{p∈Pos(a)} log(exp(v_a·v_p/τ) / Σ_{n≠a} exp(v_a·v_n/τ))},
     * {@code L = mean_a ℓ_a}. The row maximum is subtracted (detached) before {@code exp}.
     *
     * @param views (k·B) x P, rows L2-normalised
     * @param batch B, the number of samples; {@code k = rows / B} must be at least 2
     * @param temperature τ &gt; 0
     */
    public static NDArray contrastive(NDArray views, int batch, float temperature) {
        long rows = views.getShape().get(0);
        if (batch < 1 || rows % batch != 0 || rows / batch < 2) {
            throw new IllegalArgumentException("contrastive loss needs k >= 2 views of " + batch
                    + " samples, got " + rows + " rows");
        }
        int k = Math.toIntExact(rows / batch);
        NDManager m = views.getManager();
        NDArray sim = GraphScalars.div(views.matMul(views.transpose()), temperature);
        NDArray logits = sim.sub(sim.max(new int[] {1}, true).stopGradient());
        NDArray notSelf = m.ones(sim.getShape()).sub(m.eye(Math.toIntExact(rows)));
        NDArray positives = m.eye(batch).tile(new long[] {k, k}).mul(notSelf);
        NDArray logDenominator = logits.exp().mul(notSelf).sum(new int[] {1}, true).log();
        NDArray logProb = logits.sub(logDenominator);
        NDArray meanPositive = positives.mul(logProb).sum(new int[] {1}).div(positives.sum(new int[] {1}));
        return meanPositive.mean().neg();
    }

    /** Rows scaled to unit L2 norm, {@code x / max(‖x‖, 1e-12)} (PyTorch {@code F.normalize}). */
    public static NDArray l2Normalize(NDArray x) {
        return x.div(GraphScalars.maximum(x.norm(new int[] {1}, true), 1e-12f));
    }

    /**
     * The mean-teacher update (RMT's EMA teacher; docs/strategies/rmt.md), in place and element-wise:
     * {@code θ_teacher ← m·θ_teacher + (1 − m)·θ_student} for each pair of arrays. Run it with grad
     * mode off inside a step scope (the temporaries die with the step).
     *
     * @param teacher the teacher's parameter arrays, updated in place
     * @param student the student's parameter arrays, same order and shapes
     * @param momentum m in [0, 1]
     */
    public static void emaUpdate(List<NDArray> teacher, List<NDArray> student, float momentum) {
        if (teacher.size() != student.size()) {
            throw new IllegalArgumentException("teacher has " + teacher.size() + " parameters, student "
                    + student.size());
        }
        for (int i = 0; i < teacher.size(); i++) {
            teacher.get(i).muli(momentum).addi(student.get(i).mul(1f - momentum));
        }
    }
}
