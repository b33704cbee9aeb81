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
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (userEnds.Length != data.UserCount)
        {
            throw new ArgumentException("userEnds must have one entry per user", nameof(userEnds));
        }

        var total = Stopwatch.StartNew();
        var examples = BuildExamples(data, userEnds);
        var model = new TwoTowerModel(data.ItemCount, data.FeatureBuckets, _options.Dimensions, _options.HiddenDimensions, _options.Seed);
        if (examples.Length == 0)
        {
            return new TrainingResult(model, [], 0, total.Elapsed);
        }

        using var state = new TrainingState(model, data, examples, _options);
        return Run(state, model, examples, total, validate, onEpoch, cancellationToken);
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
        CancellationToken cancellationToken)
    {
        var epochs = new List<TrainingEpoch>();
        var shuffle = new Random(_options.Seed ^ 0x5bd1e995);
        double best = double.NegativeInfinity;
        var bestEpoch = 0;
        TwoTowerSnapshot? bestSnapshot = null;
        for (var epoch = 1; epoch <= _options.Epochs; epoch++)
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
            var ndcg = validate?.Invoke(model);
            var report = new TrainingEpoch(epoch, lossSum / Math.Max(1, batches), examples.Length, examples.Length / watch.Elapsed.TotalSeconds, watch.Elapsed, ndcg);
            epochs.Add(report);
            onEpoch?.Invoke(report);
            if (ndcg is null)
            {
                bestEpoch = epoch;
                continue;
            }

            if (ndcg.Value > best)
            {
                best = ndcg.Value;
                bestEpoch = epoch;
                bestSnapshot = TwoTowerSnapshot.Capture(model);
            }
            else if (epoch - bestEpoch >= _options.Patience)
            {
                break;
            }
        }

        bestSnapshot?.Restore(model);
        return new TrainingResult(model, epochs, bestEpoch, total.Elapsed);
    }

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
                    list.Add(new Example(start, e));
                }

                seenPositive = true;
            }
        }

        return [.. list];
    }

    /// <summary>One next-item example: the user's first event and the target event (absolute indices).</summary>
    internal readonly record struct Example(int UserStart, int Target);

    /// <summary>A copy of a model's parameters (the best epoch's).</summary>
    private sealed class TwoTowerSnapshot
    {
        private readonly float[][] _arrays;

        private TwoTowerSnapshot(float[][] arrays) => _arrays = arrays;

        public static TwoTowerSnapshot Capture(TwoTowerModel model) =>
            new(Parameters(model).Select(p => (float[])p.Clone()).ToArray());

        public void Restore(TwoTowerModel model)
        {
            var target = Parameters(model);
            for (var i = 0; i < target.Length; i++)
            {
                _arrays[i].CopyTo(target[i], 0);
            }
        }

        private static float[][] Parameters(TwoTowerModel m) =>
            [m.HistoryEmbeddings, m.ItemEmbeddings, m.FeatureEmbeddings, m.W1, m.B1, m.W2, m.B2];
    }

    /// <summary>Buffers and optimisers of one training run (internal for the gradient tests).</summary>
    internal sealed class TrainingState : IDisposable
    {
        private readonly TwoTowerModel _model;
        private readonly InteractionDataset _data;
        private readonly TwoTowerOptions _options;
        private readonly HistoryWeighting _weighting;
        private readonly int _threads;
        private readonly int _d;
        private readonly int _h;
        private readonly int _l;
        private readonly int _maxBatch;
        private readonly int _sampled;
        private readonly float _invTemperature;
        private readonly float[] _logQ;
        private readonly Random _random;

        // Per-example buffers.
        private readonly int[] _histItems;
        private readonly long[] _histTimes;
        private readonly float[] _histEventWeights;
        private readonly float[] _histLong;
        private readonly float[] _histSession;
        private readonly int[] _histCount;
        private readonly float[] _x;
        private readonly float[] _a;
        private readonly float[] _r;
        private readonly float[] _y;
        private readonly float[] _yNorm;
        private readonly float[] _u;
        private readonly float[] _gu;
        private readonly float[] _gx;
        private readonly float[] _loss;

        // Per-candidate buffers.
        private readonly int[] _candItems;
        private readonly bool[] _candKeepId;
        private readonly float[] _candCorrection;
        private readonly float[] _v;
        private readonly float[] _zNorm;
        private readonly float[] _gv;
        private readonly float[] _logits;

        // Gradients.
        private readonly float[][] _gW1;
        private readonly float[][] _gB1;
        private readonly float[][] _gW2;
        private readonly float[][] _gB2;
        private readonly float[][] _scratch;
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
        private readonly ParallelOptions _parallel;
        private int _step;

        public TrainingState(TwoTowerModel model, InteractionDataset data, Example[] examples, TwoTowerOptions options)
        {
            _model = model;
            _data = data;
            _options = options;
            _weighting = new HistoryWeighting(options);
            _threads = Math.Max(1, options.EffectiveThreads);
            _parallel = new ParallelOptions { MaxDegreeOfParallelism = _threads };
            _d = model.Dimensions;
            _h = model.HiddenDimensions;
            _l = options.HistoryLength;
            _maxBatch = options.BatchSize;
            _sampled = options.Loss == TwoTowerLoss.SampledSigmoid ? Math.Max(1, options.SampledNegatives) : options.SampledNegatives;
            _invTemperature = 1f / options.Temperature;
            _random = new Random(options.Seed ^ 0x2545F491);

            var candidates = _maxBatch + _sampled;
            _logQ = BuildLogQ(data, examples, options, _maxBatch, _sampled);

            _histItems = new int[_maxBatch * _l];
            _histTimes = new long[_maxBatch * _l];
            _histEventWeights = new float[_maxBatch * _l];
            _histLong = new float[_maxBatch * _l];
            _histSession = new float[_maxBatch * _l];
            _histCount = new int[_maxBatch];
            _x = new float[_maxBatch * 2 * _d];
            _a = new float[_maxBatch * _h];
            _r = new float[_maxBatch * _h];
            _y = new float[_maxBatch * _d];
            _yNorm = new float[_maxBatch];
            _u = new float[_maxBatch * _d];
            _gu = new float[_maxBatch * _d];
            _gx = new float[_maxBatch * 2 * _d];
            _loss = new float[_maxBatch];

            _candItems = new int[candidates];
            _candKeepId = new bool[candidates];
            _candCorrection = new float[candidates];
            _v = new float[candidates * _d];
            _zNorm = new float[candidates];
            _gv = new float[candidates * _d];
            _logits = new float[_maxBatch * candidates];

            _gW1 = NewPerThread(model.W1.Length);
            _gB1 = NewPerThread(model.B1.Length);
            _gW2 = NewPerThread(model.W2.Length);
            _gB2 = NewPerThread(model.B2.Length);
            _scratch = NewPerThread(Math.Max(2 * _d, _h) * 2);
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

        /// <summary>Gets the accumulated gradient of a parameter array of the model (after <see cref="ComputeLossAndGradients"/>).</summary>
        internal float[] GradientOf(float[] parameter) =>
            ReferenceEquals(parameter, _model.HistoryEmbeddings) ? _gHist
            : ReferenceEquals(parameter, _model.ItemEmbeddings) ? _gItem
            : ReferenceEquals(parameter, _model.FeatureEmbeddings) ? _gFeature
            : ReferenceEquals(parameter, _model.W1) ? _gW1[0]
            : ReferenceEquals(parameter, _model.B1) ? _gB1[0]
            : ReferenceEquals(parameter, _model.W2) ? _gW2[0]
            : ReferenceEquals(parameter, _model.B2) ? _gB2[0]
            : throw new ArgumentException("not a parameter of this model", nameof(parameter));

        /// <summary>Chooses the batch's candidates: targets, shared uniform negatives, id dropout.</summary>
        internal void PrepareCandidates(Example[] examples)
        {
            var b = examples.Length;
            var c = b + _sampled;

            // Candidates: the batch's targets, then shared uniform negatives; id dropout decided up front so the
            // parallel part stays deterministic.
            for (var i = 0; i < b; i++)
            {
                _candItems[i] = _data.EventItems[examples[i].Target];
            }

            for (var j = b; j < c; j++)
            {
                _candItems[j] = 1 + _random.Next(_data.ItemCount);
            }

            for (var j = 0; j < c; j++)
            {
                _candKeepId[j] = _options.IdDropout <= 0f || _random.NextSingle() >= _options.IdDropout;
                _candCorrection[j] = _options.LogQCorrection && _options.Loss == TwoTowerLoss.InBatchSoftmax ? _logQ[_candItems[j]] : 0f;
            }
        }

        /// <summary>
        /// Forward and backward pass over a batch whose candidates are prepared: returns the mean loss and
        /// leaves the gradients (dense ones reduced into thread 0's buffers, sparse ones scattered).
        /// </summary>
        internal double ComputeLossAndGradients(Example[] examples)
        {
            var b = examples.Length;
            var c = b + _sampled;
            ClearSparseGradients();
            var chunk = (b + _threads - 1) / _threads;
            var candChunk = (c + _threads - 1) / _threads;

            // Forward: users, items, logits, loss and its gradient w.r.t. logits.
            Parallel.For(0, _threads, _parallel, t =>
            {
                for (var i = t * chunk; i < Math.Min(b, (t + 1) * chunk); i++)
                {
                    ForwardUser(i, examples[i]);
                }

                for (var j = t * candChunk; j < Math.Min(c, (t + 1) * candChunk); j++)
                {
                    ForwardItem(j);
                }
            });

            Parallel.For(0, _threads, _parallel, t =>
            {
                for (var i = t * chunk; i < Math.Min(b, (t + 1) * chunk); i++)
                {
                    LossRow(i, b, c);
                }
            });

            // Backward: gu = G·V/τ per user, gv = Gᵀ·U/τ per candidate, then through the towers.
            Parallel.For(0, _threads, _parallel, t =>
            {
                _gW1[t].AsSpan().Clear();
                _gB1[t].AsSpan().Clear();
                _gW2[t].AsSpan().Clear();
                _gB2[t].AsSpan().Clear();
                for (var i = t * chunk; i < Math.Min(b, (t + 1) * chunk); i++)
                {
                    var gu = _gu.AsSpan(i * _d, _d);
                    gu.Clear();
                    var row = _logits.AsSpan(i * c, c);
                    for (var j = 0; j < c; j++)
                    {
                        if (row[j] != 0f)
                        {
                            TensorPrimitives.MultiplyAdd(_v.AsSpan(j * _d, _d), row[j] * _invTemperature, gu, gu);
                        }
                    }

                    BackwardUser(i, t);
                }

                for (var j = t * candChunk; j < Math.Min(c, (t + 1) * candChunk); j++)
                {
                    var gv = _gv.AsSpan(j * _d, _d);
                    gv.Clear();
                    for (var i = 0; i < b; i++)
                    {
                        var g = _logits[(i * c) + j];
                        if (g != 0f)
                        {
                            TensorPrimitives.MultiplyAdd(_u.AsSpan(i * _d, _d), g * _invTemperature, gv, gv);
                        }
                    }

                    BackwardItemToRaw(j);
                }
            });

            ScatterSparse(b, c);
            ReduceDenseGradients();

            double loss = 0;
            for (var i = 0; i < b; i++)
            {
                loss += _loss[i];
            }

            return loss / b;
        }

        private void ForwardUser(int i, Example example)
        {
            var n = UserHistory.Fill(
                _data,
                _weighting,
                example.UserStart,
                example.Target,
                _histItems.AsSpan(i * _l, _l),
                _histTimes.AsSpan(i * _l, _l),
                _histEventWeights.AsSpan(i * _l, _l),
                _histLong.AsSpan(i * _l, _l),
                _histSession.AsSpan(i * _l, _l));
            _histCount[i] = n;
            var x = _x.AsSpan(i * 2 * _d, 2 * _d);
            _model.Pool(_histItems.AsSpan(i * _l, n), _histLong.AsSpan(i * _l, n), _histSession.AsSpan(i * _l, n), x);
            _yNorm[i] = _model.UserHead(x, _a.AsSpan(i * _h, _h), _r.AsSpan(i * _h, _h), _y.AsSpan(i * _d, _d), _u.AsSpan(i * _d, _d));
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

        /// <summary>Computes row i's logits and replaces them in place with dLoss/dlogit (already divided by the batch size).</summary>
        private void LossRow(int i, int b, int c)
        {
            var row = _logits.AsSpan(i * c, c);
            var u = _u.AsSpan(i * _d, _d);
            var target = _candItems[i];
            var scale = 1f / b;
            if (_options.Loss == TwoTowerLoss.SampledSigmoid)
            {
                // Positive (column i) and the shared sampled negatives; other in-batch columns are unused.
                row.Clear();
                float loss = 0f;
                var sPos = TensorPrimitives.Dot(u, _v.AsSpan(i * _d, _d)) * _invTemperature;
                loss += Softplus(-sPos);
                row[i] = (Sigmoid(sPos) - 1f) * scale;
                for (var j = b; j < c; j++)
                {
                    if (_candItems[j] == target)
                    {
                        continue;
                    }

                    var s = TensorPrimitives.Dot(u, _v.AsSpan(j * _d, _d)) * _invTemperature;
                    loss += Softplus(s);
                    row[j] = Sigmoid(s) * scale;
                }

                _loss[i] = loss;
                return;
            }

            var max = float.NegativeInfinity;
            for (var j = 0; j < c; j++)
            {
                if (j != i && _candItems[j] == target)
                {
                    row[j] = float.NegativeInfinity;
                    continue;
                }

                var s = (TensorPrimitives.Dot(u, _v.AsSpan(j * _d, _d)) * _invTemperature) - _candCorrection[j];
                row[j] = s;
                max = MathF.Max(max, s);
            }

            double sum = 0;
            for (var j = 0; j < c; j++)
            {
                sum += MathF.Exp(row[j] - max);
            }

            var logSum = max + (float)Math.Log(sum);
            _loss[i] = logSum - row[i];
            for (var j = 0; j < c; j++)
            {
                var p = float.IsNegativeInfinity(row[j]) ? 0f : MathF.Exp(row[j] - logSum);
                row[j] = (p - (j == i ? 1f : 0f)) * scale;
            }
        }

        private void BackwardUser(int i, int t)
        {
            var d = _d;
            var h = _h;
            var u = _u.AsSpan(i * d, d);
            var gu = _gu.AsSpan(i * d, d);
            var x = _x.AsSpan(i * 2 * d, 2 * d);
            var a = _a.AsSpan(i * h, h);
            var r = _r.AsSpan(i * h, h);
            var scratch = _scratch[t];
            var gy = scratch.AsSpan(0, d);
            var gr = scratch.AsSpan(d, h);

            // Through the L2 normalisation: gy = (gu - u(u·gu)) / |y|.
            var dot = TensorPrimitives.Dot(u, gu);
            TensorPrimitives.MultiplyAdd(u, -dot, gu, gy);
            TensorPrimitives.Multiply(gy, 1f / MathF.Max(_yNorm[i], TwoTowerModel.NormEpsilon), gy);

            // y = W2 r + b2 + x_L + x_S.
            var gW2 = _gW2[t];
            var gB2 = _gB2[t];
            gr.Clear();
            for (var k = 0; k < d; k++)
            {
                var g = gy[k];
                gB2[k] += g;
                TensorPrimitives.MultiplyAdd(r, g, gW2.AsSpan(k * h, h), gW2.AsSpan(k * h, h));
                TensorPrimitives.MultiplyAdd(_model.W2.AsSpan(k * h, h), g, gr, gr);
            }

            // r = relu(a), a = W1 x + b1.
            var gx = _gx.AsSpan(i * 2 * d, 2 * d);
            gy.CopyTo(gx[..d]);
            gy.CopyTo(gx.Slice(d, d));
            var gW1 = _gW1[t];
            var gB1 = _gB1[t];
            var width = 2 * d;
            for (var j = 0; j < h; j++)
            {
                if (a[j] <= 0f)
                {
                    continue;
                }

                var g = gr[j];
                gB1[j] += g;
                TensorPrimitives.MultiplyAdd(x, g, gW1.AsSpan(j * width, width), gW1.AsSpan(j * width, width));
                TensorPrimitives.MultiplyAdd(_model.W1.AsSpan(j * width, width), g, gx, gx);
            }
        }

        private void BackwardItemToRaw(int j)
        {
            // Through the L2 normalisation: gz = (gv - v(v·gv)) / |z|; stored in place of gv.
            var v = _v.AsSpan(j * _d, _d);
            var gv = _gv.AsSpan(j * _d, _d);
            var dot = TensorPrimitives.Dot(v, gv);
            TensorPrimitives.MultiplyAdd(v, -dot, gv, gv);
            TensorPrimitives.Multiply(gv, 1f / MathF.Max(_zNorm[j], TwoTowerModel.NormEpsilon), gv);
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
                    float sumL = 0f, sumS = 0f;
                    for (var k = 0; k < n; k++)
                    {
                        sumL += wl[k];
                        sumS += ws[k];
                    }

                    var invL = 1f / MathF.Max(sumL, TwoTowerModel.PoolEpsilon);
                    var invS = 1f / MathF.Max(sumS, TwoTowerModel.PoolEpsilon);
                    var gxl = _gx.AsSpan(i * 2 * d, d);
                    var gxs = _gx.AsSpan((i * 2 * d) + d, d);
                    for (var k = 0; k < n; k++)
                    {
                        var item = items[k];
                        if (item % _threads != t)
                        {
                            continue;
                        }

                        var row = _gHist.AsSpan(item * d, d);
                        touched.Touch(item);
                        if (wl[k] != 0f)
                        {
                            TensorPrimitives.MultiplyAdd(gxl, wl[k] * invL, row, row);
                        }

                        if (ws[k] != 0f)
                        {
                            TensorPrimitives.MultiplyAdd(gxs, ws[k] * invS, row, row);
                        }
                    }
                }
            });

            for (var j = 0; j < c; j++)
            {
                var item = _candItems[j];
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
                        TensorPrimitives.MultiplyAdd(gz, scale, row, row);
                        _featureRows.Touch(f);
                    }
                }
            }
        }

        private void ReduceDenseGradients()
        {
            for (var t = 1; t < _threads; t++)
            {
                TensorPrimitives.Add(_gW1[0], _gW1[t], _gW1[0]);
                TensorPrimitives.Add(_gB1[0], _gB1[t], _gB1[0]);
                TensorPrimitives.Add(_gW2[0], _gW2[t], _gW2[0]);
                TensorPrimitives.Add(_gB2[0], _gB2[t], _gB2[0]);
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
            _adamW1.UpdateDense(_gW1[0], lr, wd, _step);
            _adamB1.UpdateDense(_gB1[0], lr, 0f, _step);
            _adamW2.UpdateDense(_gW2[0], lr, wd, _step);
            _adamB2.UpdateDense(_gB2[0], lr, 0f, _step);
            foreach (var rows in _histRows)
            {
                Apply(_adamHist, _gHist, rows, lr, wd);
            }

            Apply(_adamItem, _gItem, _itemRows, lr, wd);
            Apply(_adamFeature, _gFeature, _featureRows, lr, wd);
        }

        private void Apply(AdamOptimizer adam, float[] gradient, SparseRows rows, float lr, float wd) =>
            adam.UpdateRowsParallel(gradient, rows.RowArray, rows.Count, _d, lr, wd, _step, _parallel);

        private float[][] NewPerThread(int length)
        {
            var arrays = new float[_threads][];
            for (var t = 0; t < _threads; t++)
            {
                arrays[t] = new float[length];
            }

            return arrays;
        }

        private static float[] BuildLogQ(InteractionDataset data, Example[] examples, TwoTowerOptions options, int batch, int sampled)
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
