// Package fairness holds fairbinn's group-fairness criteria: demographic parity (DP), equalized odds (EO) and
// equal opportunity (EOpp), for two or more sensitive groups.
//
// Each criterion exists twice. As a differentiable loss on a gorgonia graph (DPLoss, EOLoss, EOppLoss, with
// the per-batch group inputs of GroupMasks) it is the follower's objective in FairBiNN training:
// L_DP = Σ_g (mean_g p − mean p)² over the groups present in the batch, p the predicted probability, and
// EO/EOpp the same within each label (EO: y = 1 and y = 0, summed; EOpp: y = 1). As a metric on thresholded
// predictions (plain Go, no gorgonia) it follows Fairlearn's definitions: the DP difference is
// max_g P(ŷ=1|g) − min_g P(ŷ=1|g), the EO difference the larger of the TPR and FPR gaps, the EOpp difference
// the TPR gap, a gap being the maximum minus the minimum over the groups present in the data.
//
// A group with no positive rows has no TPR, and a group with no negative rows no FPR: the rate is undefined
// (nil in GroupRow, "n/a" in tables), and the gap of that rate is taken over the groups where it is
// defined. (Fairlearn's rates come from scikit-learn's confusion_matrix(normalize="true"), which maps 0/0
// to 0 and so counts such a group as a rate of 0 in the gap; one tiny group without positives then makes
// every EO read large.)
//
// A Constraint is a limit a user states on one of these metrics, "dp<=0.02" (ParseConstraint); Constraints
// is a list of them, at most one per criterion, kept as a comparable value (ParseConstraints reads
// "dp<=0.02,eo<=0.05"). Their Value, Met and Violation evaluate them on computed Metrics.
package fairness
