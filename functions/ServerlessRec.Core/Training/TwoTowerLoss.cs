namespace ServerlessRec.Training;

/// <summary>The training loss of the two-tower model.</summary>
public enum TwoTowerLoss
{
    /// <summary>Softmax over the batch's targets (plus optional uniform negatives) with logQ correction.</summary>
    InBatchSoftmax,

    /// <summary>Sigmoid (binary) contrastive loss with uniformly sampled negatives.</summary>
    SampledSigmoid,
}
