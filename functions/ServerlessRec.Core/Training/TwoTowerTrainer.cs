using System.Diagnostics;
using System.Numerics.Tensors;

namespace ServerlessRec.Training;

/// <summary>
/// Trains a <see cref="TwoTowerModel"/> on next-item prediction: every positive event of a user's training
/// range is a target, its history the previous ≤ L positive events. Synchronous mini-batches split across
/// threads with per-thread gradients reduced in a fixed order, so a run is deterministic for a seed and a
/// thread count; embeddings get lazy (row-sparse) Adam updates.
/// </summary>
public sealed class TwoTowerTrainer
{
    private readonly TwoTowerOptions _options;

    /// <summary>Creates a trainer.</summary>
    public TwoTowerTrainer(TwoTowerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>
    /// Trains on the first <paramref name="userEnds"/>[u] events of each user. When <paramref name="validate"/> is
    /// given it is called after every epoch (returning validation NDCG@10); training stops after
    /// <see cref="TwoTowerOptions.Patience"/> epochs without improvement and the best epoch's parameters are kept.
    /// </summary>
    public TrainingResult Train(
        InteractionDataset data,
        ReadOnlySpan<int> userEnds,
        Func<TwoTowerModel, double>? validate = null,
        Action<TrainingEpoch>? onEpoch = null,
        CancellationToken cancellationToken = default) =>
        Train(data, userEnds, validate, onEpoch, resumeFrom: null, onCheckpoint: null, cancellationToken);

    /// <summary>
    /// Trains as above, starting from <paramref name="resumeFrom"/> (its parameters, after its epoch) when given,
    /// and calling <paramref name="onCheckpoint"/> after every epoch so a caller can persist progress.
    /// </summary>
    public TrainingResult Train(
        InteractionDataset data,
        ReadOnlySpan<int> userEnds,
        Func<TwoTowerModel, double>? validate,
        Action<TrainingEpoch>? onEpoch,
        TwoTowerCheckpoint? resumeFrom,
        Action<TwoTowerCheckpoint>? onCheckpoint,
        CancellationToken cancellationToken = default) =>
        Train(
            data,
            userEnds,
            validate,
            onEpoch,
            resumeFrom is null ? null : new TrainingProgress(resumeFrom, null, resumeFrom.Epoch, double.NegativeInfinity, [], Finished: false),
            onCheckpoint is null ? null : progress => onCheckpoint(progress.Current),
            cancellationToken);

    /// <summary>
    /// Trains as above, resuming from <paramref name="resume"/> (parameters, the best epoch so far and its score, the
    /// epochs done) when given, and calling <paramref name="onProgress"/> after every epoch, so a caller can persist the
    /// whole state of early stopping and a retry continues the same run.
    /// </summary>
    public TrainingResult Train(
        InteractionDataset data,
        ReadOnlySpan<int> userEnds,
        Func<TwoTowerModel, double>? validate,
        Action<TrainingEpoch>? onEpoch,
        TrainingProgress? resume,
        Action<TrainingProgress>? onProgress,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (userEnds.Length != data.UserCount)
        {
            throw new ArgumentException("userEnds must have one entry per user", nameof(userEnds));
        }

        var total = Stopwatch.StartNew();
        var examples = BuildExamples(data, userEnds);
        var model = resume?.Current.Model ?? new TwoTowerModel(data.ItemCount, data.FeatureBuckets, _options.Dimensions, _options.HiddenDimensions, _options.Seed);
        if (model.ItemRows != data.ItemCount + 1 || model.FeatureRows != data.FeatureBuckets + 1 || model.Dimensions != _options.Dimensions || model.HiddenDimensions != _options.HiddenDimensions)
        {
            throw new ArgumentException("the checkpoint does not match this dataset and these options", nameof(resume));
        }

        if (resume is { Finished: true })
        {
            // The run had already stopped: its result is the best parameters kept (or its last epoch's), not another epoch.
            (resume.Best ?? resume.Current.Result).CopyTo(model);
            return new TrainingResult(model, resume.Epochs, resume.BestEpoch, total.Elapsed);
        }

        if (examples.Length == 0)
        {
            return new TrainingResult(model, [], 0, total.Elapsed);
        }

        using var state = new TrainingState(model, data, examples, _options);
        return Run(state, model, examples, total, validate, onEpoch, resume, onProgress, cancellationToken);
    }

    /// <summary>Creates the training state for a dataset (the gradient tests drive it directly).</summary>
    internal static TrainingState CreateState(TwoTowerModel model, InteractionDataset data, ReadOnlySpan<int> userEnds, TwoTowerOptions options, out Example[] examples)
    {
        examples = BuildExamples(data, userEnds);
        return new TrainingState(model, data, examples, options);
    }

    private TrainingResult Run(
        TrainingState state,
        TwoTowerModel model,
        Example[] examples,
        Stopwatch total,
        Func<TwoTowerModel, double>? validate,
        Action<TrainingEpoch>? onEpoch,
        TrainingProgress? resume,
        Action<TrainingProgress>? onProgress,
        CancellationToken cancellationToken)
    {
        var completedEpochs = resume?.Current.Epoch ?? 0;
        var epochs = new List<TrainingEpoch>(resume?.Epochs ?? []);
        var shuffle = new Random(_options.Seed ^ 0x5bd1e995);
        double best = resume?.BestScore ?? double.NegativeInfinity;
        var bestEpoch = resume?.BestEpoch ?? completedEpochs;
        // A copy of the best epoch's parameters (the weights or their average).
        var bestParameters = resume?.Best?.Clone();
        for (var skipped = 0; skipped < completedEpochs; skipped++)
        {
            // Replay the shuffles of the epochs already done, so a resumed run sees the same order.
            shuffle.Shuffle(examples);
        }

        // The average of the weights over epochs (null until the first epoch ends, or when not averaging); a checkpoint
        // written before averaging existed resumes it from its weights.
        var decay = (float)_options.WeightAveraging;
        var average = decay > 0f && completedEpochs > 0 ? resume?.Current.Average ?? model.Clone() : null;
        var stopped = false;
        for (var epoch = completedEpochs + 1; epoch <= _options.Epochs && !stopped; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            shuffle.Shuffle(examples);
            double lossSum = 0;
            var batches = 0;
            for (var offset = 0; offset < examples.Length; offset += _options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(_options.BatchSize, examples.Length - offset);
                if (count < 2)
                {
                    continue;
                }

                lossSum += state.Step(examples.AsSpan(offset, count));
                batches++;
            }

            watch.Stop();
            if (decay > 0f)
            {
                if (average is null)
                {
                    average = model.Clone();
                }
                else
                {
                    average.AverageIn(model, AveragingDecay(decay, epoch));
                }
            }

            // When validating, the weights and their average are both candidates of the epoch (the average is the weights
            // after the first): the average helps a run that has settled and hurts one still far from it (few epochs).
            // Without validation the run yields its average.
            var ndcg = validate?.Invoke(model);
            var useAverage = average is not null && ndcg is null;
            if (average is not null && ndcg is not null && epoch > 1)
            {
                var averaged = validate!(average);
                if (averaged > ndcg.Value)
                {
                    ndcg = averaged;
                    useAverage = true;
                }
            }

            var result = useAverage ? average! : model;
            var report = new TrainingEpoch(epoch, lossSum / Math.Max(1, batches), examples.Length, examples.Length / watch.Elapsed.TotalSeconds, watch.Elapsed, ndcg, useAverage);
            epochs.Add(report);
            onEpoch?.Invoke(report);
            var improved = false;
            if (ndcg is null)
            {
                bestEpoch = epoch;
            }
            else if (ndcg.Value > best)
            {
                best = ndcg.Value;
                bestEpoch = epoch;
                bestParameters = result.Clone();
                improved = true;
            }
            else if (epoch - bestEpoch >= _options.Patience)
            {
                stopped = true;
            }

            if (onProgress is not null)
            {
                var finished = stopped || epoch == _options.Epochs;
                onProgress(new TrainingProgress(new TwoTowerCheckpoint(model, epoch, average), improved || finished ? bestParameters?.Clone() : null, bestEpoch, best, epochs.ToList(), finished));
            }
        }

        if (bestParameters is not null)
        {
            bestParameters.CopyTo(model);
        }
        else
        {
            // Without validation the run yields its last epoch: the average when averaging.
            average?.CopyTo(model);
        }

        return new TrainingResult(model, epochs, bestEpoch, total.Elapsed);
    }

    /// <summary>
    /// The decay of the average at an epoch: <paramref name="decay"/>, ramped in as (epoch − 1) / (epoch + 1) (1/3, 1/2,
    /// 3/5, …) so the first epochs' weights, far from trained, do not dominate a run of only a few epochs (large data).
    /// </summary>
    internal static float AveragingDecay(float decay, int epoch) => Math.Min(decay, (epoch - 1f) / (epoch + 1f));

    private static Example[] BuildExamples(InteractionDataset data, ReadOnlySpan<int> userEnds)
    {
        var list = new List<Example>();
        for (var u = 0; u < data.UserCount; u++)
        {
            var start = data.UserOffsets[u];
            var end = start + userEnds[u];
            var seenPositive = false;
            for (var e = start; e < end; e++)
            {
                if (data.IsNegative[e] || data.EventWeights[e] <= 0f)
                {
                    continue;
                }

                if (seenPositive)
                {
                    list.Add(new Example(start, e, end));
                }

                seenPositive = true;
            }
        }

        return [.. list];
    }

    /// <summary>One next-item example: the user's first event, the target event and the end of the user's training range (absolute indices).</summary>
    internal readonly record struct Example(int UserStart, int Target, int UserEnd);

    /// <summary>Buffers and optimisers of one training run (internal for the gradient tests).</summary>
    /// <remarks>
    /// A batch is computed as matrix products (<see cref="Gemm"/>): users U [B×D] and candidates V [C×D],
    /// logits S = U·Vᵀ/τ, and the user tower's layers over the whole batch. Only history pooling, the
    /// item tower and the sparse scatters run per example.
    /// </remarks>
    internal sealed class TrainingState : IDisposable
    {
        private readonly TwoTowerModel _model;
        private readonly InteractionDataset _data;
        private readonly TwoTowerOptions _options;
        private readonly HistoryWindow _window;
        private readonly int _threads;
        private readonly int _d;
        private readonly int _h;
        private readonly int _l;
        private readonly int _maxBatch;
        private readonly int _sampled;
        private readonly bool _hardNegatives;
        private readonly float _logHardWeight;
        private readonly Dictionary<int, (int Offset, int Count)> _userNegatives = [];
        private readonly int[] _negativeItems;
        private readonly float _invTemperature;
        private readonly float[] _logQ;
        private readonly Random _random;
        private readonly ParallelOptions _parallel;

        // Per-example buffers.
        private readonly int[] _histItems;
        private readonly float[] _histLong;
        private readonly float[] _histSession;
        private readonly int[] _histCount;
        private readonly float[] _histInvLong;
        private readonly float[] _histInvSession;
        private readonly float[] _x;
        private readonly float[] _a;
        private readonly float[] _r;
        private readonly float[] _y;
        private readonly float[] _yNorm;
        private readonly float[] _u;
        private readonly float[] _gu;
        private readonly float[] _gy;
        private readonly float[] _ga;
        private readonly float[] _gx;
        private readonly float[] _loss;

        // Per-candidate buffers.
        private readonly int[] _candItems;
        private readonly bool[] _candKeepId;
        private readonly float[] _candCorrection;
        private readonly float[] _v;
        private readonly float[] _vT;
        private readonly float[] _zNorm;
        private readonly float[] _gv;
        private readonly float[] _logits;

        // Weights transposed for the batched products, and gradients.
        private readonly float[] _w1T;
        private readonly float[] _w2T;
        private readonly float[] _gW1;
        private readonly float[] _gB1;
        private readonly float[] _gW2;
        private readonly float[] _gB2;
        private readonly float[] _gHist;
        private readonly float[] _gItem;
        private readonly float[] _gFeature;
        private readonly SparseRows[] _histRows;
        private readonly SparseRows _itemRows;
        private readonly SparseRows _featureRows;

        private readonly AdamOptimizer _adamHist;
        private readonly AdamOptimizer _adamItem;
        private readonly AdamOptimizer _adamFeature;
        private readonly AdamOptimizer _adamW1;
        private readonly AdamOptimizer _adamB1;
        private readonly AdamOptimizer _adamW2;
        private readonly AdamOptimizer _adamB2;
        private int _step;

        public TrainingState(TwoTowerModel model, InteractionDataset data, Example[] examples, TwoTowerOptions options)
        {
            _model = model;
            _data = data;
            _options = options;
            _window = new HistoryWindow(options);
            _threads = Math.Max(1, options.EffectiveThreads);
            _parallel = new ParallelOptions { MaxDegreeOfParallelism = _threads };
            _d = model.Dimensions;
            _h = model.HiddenDimensions;
            _l = options.HistoryLength;
            _maxBatch = options.BatchSize;
            _sampled = options.Loss == TwoTowerLoss.SampledSigmoid ? Math.Max(1, options.SampledNegatives) : options.SampledNegatives;
            _invTemperature = 1f / options.Temperature;
            _random = new Random(options.Seed ^ 0x2545F491);
            _negativeItems = BuildUserNegatives(data, examples, _userNegatives);
            _hardNegatives = options.HardNegativeWeight > 0f && _negativeItems.Length > 0;
            _logHardWeight = MathF.Log(MathF.Max(options.HardNegativeWeight, float.Epsilon));

            var b = _maxBatch;
            var c = _maxBatch + _sampled + (_hardNegatives ? _maxBatch : 0);
            _logQ = BuildLogQ(data, examples, b, _sampled);

            _histItems = new int[b * _l];
            _histLong = new float[b * _l];
            _histSession = new float[b * _l];
            _histCount = new int[b];
            _histInvLong = new float[b];
            _histInvSession = new float[b];
            _x = new float[b * 2 * _d];
            _a = new float[b * _h];
            _r = new float[b * _h];
            _y = new float[b * _d];
            _yNorm = new float[b];
            _u = new float[b * _d];
            _gu = new float[b * _d];
            _gy = new float[b * _d];
            _ga = new float[b * _h];
            _gx = new float[b * 2 * _d];
            _loss = new float[b];

            _candItems = new int[c];
            _candKeepId = new bool[c];
            _candCorrection = new float[c];
            _v = new float[c * _d];
            _vT = new float[_d * c];
            _zNorm = new float[c];
            _gv = new float[c * _d];
            _logits = new float[b * c];

            _w1T = new float[model.W1.Length];
            _w2T = new float[model.W2.Length];
            _gW1 = new float[model.W1.Length];
            _gB1 = new float[model.B1.Length];
            _gW2 = new float[model.W2.Length];
            _gB2 = new float[model.B2.Length];
            _gHist = new float[model.HistoryEmbeddings.Length];
            _gItem = new float[model.ItemEmbeddings.Length];
            _gFeature = new float[model.FeatureEmbeddings.Length];
            _histRows = Enumerable.Range(0, _threads).Select(_ => new SparseRows(model.ItemRows)).ToArray();
            _itemRows = new SparseRows(model.ItemRows);
            _featureRows = new SparseRows(model.FeatureRows);

            _adamHist = new AdamOptimizer(model.HistoryEmbeddings);
            _adamItem = new AdamOptimizer(model.ItemEmbeddings);
            _adamFeature = new AdamOptimizer(model.FeatureEmbeddings);
            _adamW1 = new AdamOptimizer(model.W1);
            _adamB1 = new AdamOptimizer(model.B1);
            _adamW2 = new AdamOptimizer(model.W2);
            _adamB2 = new AdamOptimizer(model.B2);
        }

        public void Dispose()
        {
        }

        /// <summary>One optimisation step on a batch; returns the batch's mean loss.</summary>
        public double Step(ReadOnlySpan<Example> batch)
        {
            var examples = batch.ToArray();
            PrepareCandidates(examples);
            var loss = ComputeLossAndGradients(examples);
            ApplyUpdates();
            return loss;
        }

        /// <summary>Gets the gradient of a parameter array of the model (after <see cref="ComputeLossAndGradients"/>).</summary>
        internal float[] GradientOf(float[] parameter) =>
            ReferenceEquals(parameter, _model.HistoryEmbeddings) ? _gHist
            : ReferenceEquals(parameter, _model.ItemEmbeddings) ? _gItem
            : ReferenceEquals(parameter, _model.FeatureEmbeddings) ? _gFeature
            : ReferenceEquals(parameter, _model.W1) ? _gW1
            : ReferenceEquals(parameter, _model.B1) ? _gB1
            : ReferenceEquals(parameter, _model.W2) ? _gW2
            : ReferenceEquals(parameter, _model.B2) ? _gB2
            : throw new ArgumentException("not a parameter of this model", nameof(parameter));

        /// <summary>Gets the number of candidate columns of a batch of <paramref name="b"/> examples.</summary>
        private int Candidates(int b) => b + _sampled + (_hardNegatives ? b : 0);

        /// <summary>
        /// Chooses the batch's candidates: targets, shared uniform negatives, then (with hard negatives) one of each
        /// example's user's rejected items (0, masked out, for a user without any), and id dropout.
        /// </summary>
        internal void PrepareCandidates(Example[] examples)
        {
            var b = examples.Length;
            var c = Candidates(b);
            for (var i = 0; i < b; i++)
            {
                _candItems[i] = _data.EventItems[examples[i].Target];
            }

            for (var j = b; j < b + _sampled; j++)
            {
                _candItems[j] = 1 + _random.Next(_data.ItemCount);
            }

            if (_hardNegatives)
            {
                for (var i = 0; i < b; i++)
                {
                    _candItems[b + _sampled + i] = _userNegatives.TryGetValue(examples[i].UserStart, out var range)
                        ? _negativeItems[range.Offset + _random.Next(range.Count)]
                        : 0;
                }
            }

            for (var j = 0; j < c; j++)
            {
                _candKeepId[j] = _options.IdDropout <= 0f || _random.NextSingle() >= _options.IdDropout;
                // Hard negatives are chosen per user, not sampled by popularity: no logQ correction.
                _candCorrection[j] = _options.LogQCorrection && _options.Loss == TwoTowerLoss.InBatchSoftmax && j < b + _sampled ? _logQ[_candItems[j]] : 0f;
            }
        }

        /// <summary>
        /// Forward and backward pass over a batch whose candidates are prepared: returns the mean loss and
        /// leaves the gradients (dense and sparse) in the gradient buffers.
        /// </summary>
        internal double ComputeLossAndGradients(Example[] examples)
        {
            var b = examples.Length;
            var c = Candidates(b);
            var d = _d;
            var h = _h;
            ClearSparseGradients();

            // Forward, per example and per candidate: history pools x = [x_L; x_S], item vectors v.
            Parallel.For(0, b + c, _parallel, k =>
            {
                if (k < b)
                {
                    PoolUser(k, examples[k]);
                }
                else
                {
                    ForwardItem(k - b);
                }
            });

            // User tower over the batch: a = x·W1ᵀ + b1, r = relu(a), y = r·W2ᵀ + b2 + x_L + x_S, u = y/|y|.
            Gemm.Transpose(_model.W1, h, 2 * d, _w1T);
            Gemm.Transpose(_model.W2, d, h, _w2T);
            Gemm.Multiply(_x, b, 2 * d, _w1T, h, _a, accumulate: false, _parallel);
            for (var i = 0; i < b; i++)
            {
                var a = _a.AsSpan(i * h, h);
                TensorPrimitives.Add(a, _model.B1, a);
                TensorPrimitives.Max(a, 0f, _r.AsSpan(i * h, h));
            }

            Gemm.Multiply(_r, b, h, _w2T, d, _y, accumulate: false, _parallel);
            for (var i = 0; i < b; i++)
            {
                var y = _y.AsSpan(i * d, d);
                TensorPrimitives.Add(y, _model.B2, y);
                TensorPrimitives.Add(y, _x.AsSpan(i * 2 * d, d), y);
                TensorPrimitives.Add(y, _x.AsSpan((i * 2 * d) + d, d), y);
                var norm = TensorPrimitives.Norm(y);
                _yNorm[i] = norm;
                TensorPrimitives.Multiply(y, 1f / MathF.Max(norm, TwoTowerModel.NormEpsilon), _u.AsSpan(i * d, d));
            }

            // Logits S = U·Vᵀ, then each row's loss and dLoss/dS in place.
            Gemm.Transpose(_v.AsSpan(0, c * d), c, d, _vT);
            Gemm.Multiply(_u, b, d, _vT, c, _logits, accumulate: false, _parallel);
            Parallel.For(0, b, _parallel, i => LossRow(i, b, c));

            // gU = G·V/τ, gV = Gᵀ·U/τ (LossRow already folded 1/τ into G).
            Gemm.Multiply(_logits, b, c, _v, d, _gu, accumulate: false, _parallel);
            Gemm.MultiplyTransposedA(_logits, c, b, _u, d, _gv, accumulate: false, _parallel);

            // Through u = y/|y|: gy = (gu - u(u·gu))/|y|.
            for (var i = 0; i < b; i++)
            {
                var u = _u.AsSpan(i * d, d);
                var gu = _gu.AsSpan(i * d, d);
                var gy = _gy.AsSpan(i * d, d);
                TensorPrimitives.MultiplyAdd(u, -TensorPrimitives.Dot(u, gu), gu, gy);
                TensorPrimitives.Multiply(gy, 1f / MathF.Max(_yNorm[i], TwoTowerModel.NormEpsilon), gy);
            }

            // Second layer: gW2 = gYᵀ·R, gb2 = Σ gY, gR = gY·W2, gA = gR ⊙ [a > 0].
            Gemm.MultiplyTransposedA(_gy, d, b, _r, h, _gW2, accumulate: false, _parallel);
            ColumnSums(_gy, b, d, _gB2);
            Gemm.Multiply(_gy, b, d, _model.W2, h, _ga, accumulate: false, _parallel);
            for (var i = 0; i < b * h; i++)
            {
                if (_a[i] <= 0f)
                {
                    _ga[i] = 0f;
                }
            }

            // First layer: gW1 = gAᵀ·X, gb1 = Σ gA, gX = gA·W1 + [gy; gy] (the residual).
            Gemm.MultiplyTransposedA(_ga, h, b, _x, 2 * d, _gW1, accumulate: false, _parallel);
            ColumnSums(_ga, b, h, _gB1);
            Gemm.Multiply(_ga, b, h, _model.W1, 2 * d, _gx, accumulate: false, _parallel);
            for (var i = 0; i < b; i++)
            {
                var gy = _gy.AsSpan(i * d, d);
                var gxl = _gx.AsSpan(i * 2 * d, d);
                var gxs = _gx.AsSpan((i * 2 * d) + d, d);
                TensorPrimitives.Add(gxl, gy, gxl);
                TensorPrimitives.Add(gxs, gy, gxs);
            }

            // Through v = z/|z|.
            for (var j = 0; j < c; j++)
            {
                var v = _v.AsSpan(j * d, d);
                var gv = _gv.AsSpan(j * d, d);
                TensorPrimitives.MultiplyAdd(v, -TensorPrimitives.Dot(v, gv), gv, gv);
                TensorPrimitives.Multiply(gv, 1f / MathF.Max(_zNorm[j], TwoTowerModel.NormEpsilon), gv);
            }

            ScatterSparse(b, c);

            double loss = 0;
            for (var i = 0; i < b; i++)
            {
                loss += _loss[i];
            }

            return loss / b;
        }

        private void PoolUser(int i, Example example)
        {
            var n = _window.Fill(
                HistoryEvents.Of(_data, example.UserStart, example.Target),
                _histItems.AsSpan(i * _l, _l),
                _histLong.AsSpan(i * _l, _l),
                _histSession.AsSpan(i * _l, _l));
            _histCount[i] = n;
            _histInvLong[i] = 1f / MathF.Max(TensorPrimitives.Sum(_histLong.AsSpan(i * _l, n)), TwoTowerModel.PoolEpsilon);
            _histInvSession[i] = 1f / MathF.Max(TensorPrimitives.Sum(_histSession.AsSpan(i * _l, n)), TwoTowerModel.PoolEpsilon);
            _model.Pool(_histItems.AsSpan(i * _l, n), _histLong.AsSpan(i * _l, n), _histSession.AsSpan(i * _l, n), _x.AsSpan(i * 2 * _d, 2 * _d));
        }

        private void ForwardItem(int j)
        {
            var item = _candItems[j];
            var z = _v.AsSpan(j * _d, _d);
            _model.ItemRaw(item, _data.FeaturesOf(item), _candKeepId[j], z);
            var norm = TensorPrimitives.Norm(z);
            _zNorm[j] = norm;
            TensorPrimitives.Multiply(z, 1f / MathF.Max(norm, TwoTowerModel.NormEpsilon), z);
        }

        /// <summary>
        /// Turns row i of the raw dot products into dLoss/dlogit, already divided by the batch size and
        /// multiplied by 1/τ (the factor of both GEMMs that consume it), and records its loss.
        /// </summary>
        private void LossRow(int i, int b, int c)
        {
            var row = _logits.AsSpan(i * c, c);
            TensorPrimitives.Multiply(row, _invTemperature, row);
            var target = _candItems[i];
            var scale = _invTemperature / b;
            // Hard-negative columns start here; only row i's own column (hardStart + i) is a candidate of row i.
            var hardStart = b + _sampled;
            var hardWeight = _options.HardNegativeWeight;
            if (_options.Loss == TwoTowerLoss.SampledSigmoid)
            {
                // The positive (column i) against the shared sampled negatives; other in-batch columns are unused.
                var sPos = row[i];
                var loss = Softplus(-sPos);
                var gPos = (Sigmoid(sPos) - 1f) * scale;
                for (var j = 0; j < c; j++)
                {
                    var hard = j >= hardStart;
                    if (j < b || _candItems[j] == target || (hard && (j != hardStart + i || _candItems[j] == 0)))
                    {
                        row[j] = 0f;
                        continue;
                    }

                    var weight = hard ? hardWeight : 1f;
                    loss += weight * Softplus(row[j]);
                    row[j] = weight * Sigmoid(row[j]) * scale;
                }

                row[i] = gPos;
                _loss[i] = loss;
                return;
            }

            TensorPrimitives.Subtract(row, _candCorrection.AsSpan(0, c), row);
            for (var j = hardStart; j < c; j++)
            {
                // ln(weight) makes the rejected item count as that many negatives; the other rows' ones are not candidates.
                row[j] = j == hardStart + i && _candItems[j] != 0 ? row[j] + _logHardWeight : float.NegativeInfinity;
            }

            var candidates = _candItems.AsSpan(0, c);
            for (var j = candidates.IndexOf(target); j >= 0; j = NextIndexOf(candidates, target, j))
            {
                if (j != i)
                {
                    // Another copy of the positive is not a negative: exp(-∞) = 0 drops it from the softmax.
                    row[j] = float.NegativeInfinity;
                }
            }

            var max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, row);
            var positive = row[i];
            TensorPrimitives.Exp(row, row);
            var sum = TensorPrimitives.Sum(row);
            _loss[i] = MathF.Log(sum) - positive;
            TensorPrimitives.Multiply(row, scale / sum, row);
            row[i] -= scale;
        }

        private static int NextIndexOf(ReadOnlySpan<int> values, int value, int after)
        {
            var next = values[(after + 1)..].IndexOf(value);
            return next < 0 ? -1 : after + 1 + next;
        }

        private void ScatterSparse(int b, int c)
        {
            var d = _d;

            // History rows are split across threads by row number, so each row's sum is built in the same
            // order as on one thread and no two threads write the same row.
            Parallel.For(0, _threads, _parallel, t =>
            {
                var touched = _histRows[t];
                for (var i = 0; i < b; i++)
                {
                    var n = _histCount[i];
                    if (n == 0)
                    {
                        continue;
                    }

                    var items = _histItems.AsSpan(i * _l, n);
                    var wl = _histLong.AsSpan(i * _l, n);
                    var ws = _histSession.AsSpan(i * _l, n);
                    var invL = _histInvLong[i];
                    var invS = _histInvSession[i];
                    var gxl = _gx.AsSpan(i * 2 * d, d);
                    var gxs = _gx.AsSpan((i * 2 * d) + d, d);
                    for (var k = 0; k < n; k++)
                    {
                        var ahead = k + TwoTowerModel.RowPrefetchDistance;
                        if (ahead < n && items[ahead] % _threads == t)
                        {
                            VectorKernels.Prefetch(_gHist.AsSpan(items[ahead] * d, d));
                        }

                        var item = items[k];
                        if (item % _threads != t)
                        {
                            continue;
                        }

                        var row = _gHist.AsSpan(item * d, d);
                        touched.Touch(item);
                        if (wl[k] != 0f)
                        {
                            VectorKernels.AddScaled(gxl, wl[k] * invL, row);
                        }

                        if (ws[k] != 0f)
                        {
                            VectorKernels.AddScaled(gxs, ws[k] * invS, row);
                        }
                    }
                }
            });

            for (var j = 0; j < c; j++)
            {
                var item = _candItems[j];
                if (item == 0)
                {
                    // A masked hard-negative slot (its user rejected nothing): no gradient, and the padding row stays put.
                    continue;
                }

                var gz = _gv.AsSpan(j * d, d);
                if (_candKeepId[j])
                {
                    var row = _gItem.AsSpan(item * d, d);
                    TensorPrimitives.Add(row, gz, row);
                    _itemRows.Touch(item);
                }

                var features = _data.FeaturesOf(item);
                if (features.Length > 0)
                {
                    var scale = 1f / features.Length;
                    foreach (var f in features)
                    {
                        var row = _gFeature.AsSpan(f * d, d);
                        VectorKernels.AddScaled(gz, scale, row);
                        _featureRows.Touch(f);
                    }
                }
            }
        }

        private static void ColumnSums(float[] matrix, int rows, int columns, float[] sums)
        {
            sums.AsSpan(0, columns).Clear();
            for (var i = 0; i < rows; i++)
            {
                TensorPrimitives.Add(sums.AsSpan(0, columns), matrix.AsSpan(i * columns, columns), sums.AsSpan(0, columns));
            }
        }

        private void ClearSparseGradients()
        {
            foreach (var rows in _histRows)
            {
                Clear(_gHist, rows);
            }

            Clear(_gItem, _itemRows);
            Clear(_gFeature, _featureRows);
        }

        private void Clear(float[] gradient, SparseRows rows)
        {
            foreach (var row in rows.Rows)
            {
                gradient.AsSpan(row * _d, _d).Clear();
            }

            rows.Clear();
        }

        private void ApplyUpdates()
        {
            _step++;
            var lr = _options.LearningRate;
            var wd = _options.WeightDecay;
            _adamW1.UpdateDense(_gW1, lr, wd, _step);
            _adamB1.UpdateDense(_gB1, lr, 0f, _step);
            _adamW2.UpdateDense(_gW2, lr, wd, _step);
            _adamB2.UpdateDense(_gB2, lr, 0f, _step);
            foreach (var rows in _histRows)
            {
                Apply(_adamHist, _gHist, rows, lr, wd);
            }

            Apply(_adamItem, _gItem, _itemRows, lr, wd);
            Apply(_adamFeature, _gFeature, _featureRows, lr, wd);
        }

        /// <summary>Updates the touched rows and hands them back cleared (Adam zeroes the gradient rows it reads).</summary>
        private void Apply(AdamOptimizer adam, float[] gradient, SparseRows rows, float lr, float wd)
        {
            adam.UpdateRowsParallel(gradient, rows.RowArray, rows.Count, _d, lr, wd, _step, _parallel, clearGradient: true);
            rows.Clear();
        }

        /// <summary>
        /// Collects, per user of the examples (keyed by the user's first event), the items of their negative events in the
        /// training range [UserStart, UserEnd): what the user rejected is known by the cutoff, and the held-out events are
        /// past it, so the evaluation's targets never leak in.
        /// </summary>
        private static int[] BuildUserNegatives(InteractionDataset data, Example[] examples, Dictionary<int, (int Offset, int Count)> ranges)
        {
            var items = new List<int>();
            foreach (var example in examples)
            {
                if (ranges.ContainsKey(example.UserStart))
                {
                    continue;
                }

                var offset = items.Count;
                for (var e = example.UserStart; e < example.UserEnd; e++)
                {
                    if (data.IsNegative[e])
                    {
                        items.Add(data.EventItems[e]);
                    }
                }

                if (items.Count > offset)
                {
                    ranges[example.UserStart] = (offset, items.Count - offset);
                }
                else
                {
                    ranges[example.UserStart] = (0, 0);
                }
            }

            foreach (var (start, range) in ranges.Where(r => r.Value.Count == 0).ToList())
            {
                ranges.Remove(start);
            }

            return [.. items];
        }

        private static float[] BuildLogQ(InteractionDataset data, Example[] examples, int batch, int sampled)
        {
            // Expected number of times item j appears among a batch's candidates: as a target (∝ its
            // frequency) plus as a uniform sample. Its log is subtracted from the logits (logQ correction).
            var counts = new double[data.ItemIds.Count];
            foreach (var example in examples)
            {
                counts[data.EventItems[example.Target]]++;
            }

            var logQ = new float[counts.Length];
            var uniform = data.ItemCount == 0 ? 0.0 : (double)sampled / data.ItemCount;
            for (var j = 1; j < counts.Length; j++)
            {
                var q = (batch * counts[j] / examples.Length) + uniform;
                logQ[j] = (float)Math.Log(Math.Max(q, 1e-12));
            }

            return logQ;
        }

        private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

        private static float Softplus(float x) => x > 20f ? x : MathF.Log(1f + MathF.Exp(x));
    }


    /// <summary>The set of embedding rows a batch touched, in first-touch order.</summary>
    private sealed class SparseRows(int rows)
    {
        private readonly bool[] _touched = new bool[rows];
        private readonly int[] _rows = new int[rows];

        public int Count { get; private set; }

        public int[] RowArray => _rows;

        public ReadOnlySpan<int> Rows => _rows.AsSpan(0, Count);

        public void Touch(int row)
        {
            if (!_touched[row])
            {
                _touched[row] = true;
                _rows[Count++] = row;
            }
        }

        public void Clear()
        {
            foreach (var row in Rows)
            {
                _touched[row] = false;
            }

            Count = 0;
        }
    }
}
