using System.Globalization;
using System.Text;
using ServerlessRec.Storage;

namespace ServerlessRec.Events;

/// <summary>
/// Generates interaction logs whose structure is known, for demos, tests and benchmarks:
/// items with Zipf-like popularity, each in one or two categories; a few latent tastes, each preferring
/// some categories and its own favourite items; users with one to three tastes; time-ordered sessions
/// (more than 30 minutes apart, seconds to minutes inside) that mostly follow one taste, so recent items
/// predict the next ones. Users rarely repeat an item; skips land on items outside the user's tastes.
/// Optionally a fraction of lines is malformed, each in one known way, counted per rejection reason.
/// </summary>
/// <remarks>
/// The same options give the same bytes. Memory is proportional to users and items (plus about one
/// byte per event for the "already seen" filter), never to events held as objects: output is streamed.
/// Valid events do not depend on <see cref="SyntheticLogOptions.BadLineFraction"/>: malformed lines are
/// drawn from their own random sequence.
/// </remarks>
public sealed class SyntheticLogGenerator
{
    /// <summary>The file name prefix of partitioned output.</summary>
    public const string DefaultSource = "synthetic";

    /// <summary>The catalog blob name in the catalog container.</summary>
    public const string CatalogBlobName = "items.jsonl";

    private const double ZipfExponent = 1.1;
    private const double TasteFavouriteSpread = 0.8;
    private const double SkipProbability = 0.05;
    private const double SessionTasteProbability = 0.85;
    private const double OtherTasteProbability = 0.10;
    private const double MeanSessionLength = 6;
    private const double MeanGapInSessionSeconds = 50;
    private const int MaxGapInSessionSeconds = 20 * 60;
    private const int MinGapBetweenSessionsSeconds = 30 * 60;
    private const int UnseenItemTries = 16;
    private const int ChunkBytes = 64 * 1024;
    private const int ProgressEvery = 65_536;
    private const long MaxAffinityCells = 16_000_000;

    private static readonly string[] CategoryWords =
    [
        "Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family",
        "Fantasy", "History", "Horror", "Music", "Mystery", "Romance", "Science", "Sports",
        "Thriller", "Travel", "War", "Western", "Cooking", "Gaming", "Fashion", "Technology",
    ];

    private static readonly string[] TitleAdjectives =
    [
        "Silent", "Crimson", "Golden", "Hidden", "Broken", "Electric", "Midnight", "Lost", "Wild", "Quiet",
        "Burning", "Frozen", "Secret", "Distant", "Bright", "Hollow", "Iron", "Velvet", "Paper", "Final",
    ];

    private static readonly string[] TitleNouns =
    [
        "Harbor", "Garden", "River", "Empire", "Signal", "Orchard", "Station", "Mirror", "Voyage", "Kingdom",
        "Letter", "Machine", "Island", "Frontier", "Symphony", "Market", "Lantern", "Horizon", "Archive", "Circuit",
    ];

    private static readonly string[] TagWords =
    [
        "award-winning", "classic", "new", "family-friendly", "indie", "bestseller", "limited", "staff-pick",
        "trending", "cult", "short", "long-read", "sequel", "original", "remastered", "local",
    ];

    private readonly SyntheticLogOptions _options;
    private readonly string[] _userIds;
    private readonly string[] _itemIds;
    private readonly string[] _categoryNames;
    private readonly int[] _itemCategory1;
    private readonly int[] _itemCategory2;
    private readonly bool[] _coldItems;
    private readonly ulong[] _itemCategoryMask;
    private readonly WeightedPool _allItems;
    private readonly WeightedPool[] _tastePools;
    private readonly int[] _userEvents;
    private readonly int[] _userTasteCount;
    private readonly int[] _userTastes;
    private readonly double[] _userTasteCumulative;
    private readonly ulong[] _userCategoryMask;
    private readonly ulong[] _tasteMasks;
    private readonly float[]? _tasteFavourite;

    /// <summary>Builds the synthetic world (items, tastes, users) for <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SyntheticLogGenerator(SyntheticLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        var random = new DeterministicRandom((ulong)options.Seed);

        _userIds = [.. Enumerable.Range(1, options.Users).Select(i => string.Create(CultureInfo.InvariantCulture, $"u{i}"))];
        _itemIds = [.. Enumerable.Range(1, options.Items).Select(i => string.Create(CultureInfo.InvariantCulture, $"i{i}"))];
        _categoryNames = [.. Enumerable.Range(0, options.Categories).Select(c => c < CategoryWords.Length ? CategoryWords[c] : string.Create(CultureInfo.InvariantCulture, $"Category {c + 1}"))];

        var items = options.Items;
        var rank = Permutation(items, ref random);
        _coldItems = new bool[items];
        var cold = Math.Min((int)Math.Round(items * options.ColdItemFraction), items - 1);
        foreach (var i in Permutation(items, ref random).AsSpan(0, cold))
        {
            _coldItems[i] = true;
        }

        _itemCategory1 = new int[items];
        _itemCategory2 = new int[items];
        _itemCategoryMask = new ulong[items];
        var baseWeight = new double[items];
        for (var i = 0; i < items; i++)
        {
            baseWeight[i] = 1.0 / Math.Pow(rank[i] + 1, ZipfExponent);
            _itemCategory1[i] = random.Next(options.Categories);
            _itemCategory2[i] = options.Categories > 1 && random.NextDouble() < 0.4
                ? (_itemCategory1[i] + 1 + random.Next(options.Categories - 1)) % options.Categories
                : -1;
            _itemCategoryMask[i] = (1UL << _itemCategory1[i]) | (_itemCategory2[i] >= 0 ? 1UL << _itemCategory2[i] : 0);
        }

        _allItems = WeightedPool.Create(items, i => _coldItems[i] ? 0 : baseWeight[i]);
        var tasteMasks = new ulong[options.Tastes];
        _tasteMasks = tasteMasks;
        // Kept for TrueAffinity only in worlds a closed-loop simulation can use: a benchmark's millions of items would need gigabytes.
        _tasteFavourite = (long)options.Tastes * items <= MaxAffinityCells ? new float[options.Tastes * items] : null;
        _tastePools = new WeightedPool[options.Tastes];
        for (var t = 0; t < options.Tastes; t++)
        {
            var preferred = Math.Min(options.Categories, 2 + random.Next(2));
            foreach (var c in Permutation(options.Categories, ref random).AsSpan(0, preferred))
            {
                tasteMasks[t] |= 1UL << c;
            }

            // Each taste has its own favourites: the global popularity times a taste-specific factor.
            var favourite = new double[items];
            for (var i = 0; i < items; i++)
            {
                favourite[i] = Math.Exp(TasteFavouriteSpread * random.NextGaussian());
            }

            for (var i = 0; _tasteFavourite is not null && i < items; i++)
            {
                _tasteFavourite[(t * items) + i] = (float)favourite[i];
            }

            var pool = WeightedPool.Create(items, i => !_coldItems[i] && (_itemCategoryMask[i] & tasteMasks[t]) != 0 ? baseWeight[i] * favourite[i] : 0);
            _tastePools[t] = pool.IsEmpty ? _allItems : pool;
        }

        var users = options.Users;
        _userTasteCount = new int[users];
        _userTastes = new int[users * 3];
        _userTasteCumulative = new double[users * 3];
        _userCategoryMask = new ulong[users];
        var activity = new double[users];
        for (var u = 0; u < users; u++)
        {
            activity[u] = Math.Exp(random.NextGaussian());
            var count = Math.Min(options.Tastes, 1 + random.Next(3));
            _userTasteCount[u] = count;
            var tastes = Permutation(options.Tastes, ref random);
            var total = 0.0;
            for (var j = 0; j < count; j++)
            {
                _userTastes[(u * 3) + j] = tastes[j];
                _userCategoryMask[u] |= tasteMasks[tastes[j]];
                total += 0.2 + random.NextDouble();
                _userTasteCumulative[(u * 3) + j] = total;
            }

            for (var j = 0; j < count; j++)
            {
                _userTasteCumulative[(u * 3) + j] /= total;
            }
        }

        _userEvents = AllocateEvents(options.Events, activity);
    }

    /// <summary>Gets the options.</summary>
    public SyntheticLogOptions Options => _options;

    /// <summary>Gets the category names, in category order.</summary>
    public IReadOnlyList<string> CategoryNames => _categoryNames;

    /// <summary>
    /// Returns user <paramref name="user"/>'s true affinity to item <paramref name="item"/> (0-based indices of <c>u1…</c> and
    /// <c>i1…</c>): over the user's tastes, the taste's share times its favourite factor for the item (median 1) when the
    /// item is in one of the taste's categories, else 0 (kept when tastes × items ≤ 16 million). The same quantity the generated events are drawn from (popularity
    /// aside), so a closed-loop simulation can respond to what it is shown.
    /// </summary>
    public double TrueAffinity(int user, int item)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, _userTasteCount.Length);
        ArgumentOutOfRangeException.ThrowIfNegative(item);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(item, _itemIds.Length);
        if (_tasteFavourite is null)
        {
            throw new InvalidOperationException($"True affinities are kept for worlds of at most {MaxAffinityCells} tastes × items.");
        }

        var affinity = 0.0;
        var previous = 0.0;
        for (var j = 0; j < _userTasteCount[user]; j++)
        {
            var cumulative = _userTasteCumulative[(user * 3) + j];
            var taste = _userTastes[(user * 3) + j];
            if ((_itemCategoryMask[item] & _tasteMasks[taste]) != 0)
            {
                affinity += (cumulative - previous) * _tasteFavourite[(taste * _itemIds.Length) + item];
            }

            previous = cumulative;
        }

        return affinity;
    }

    /// <summary>Returns the catalog: every item (cold ones included) with a title, its categories, a few tags and availability.</summary>
    public IEnumerable<CatalogItem> GetCatalog()
    {
        var random = new DeterministicRandom((ulong)_options.Seed ^ 0xCA7A_1060_0000_0001UL);
        for (var i = 0; i < _itemIds.Length; i++)
        {
            var title = $"{TitleAdjectives[random.Next(TitleAdjectives.Length)]} {TitleNouns[random.Next(TitleNouns.Length)]}";
            string[] categories = _itemCategory2[i] >= 0 ? [_categoryNames[_itemCategory1[i]], _categoryNames[_itemCategory2[i]]] : [_categoryNames[_itemCategory1[i]]];
            var tagCount = random.Next(3);
            var tags = new List<string>(tagCount);
            for (var k = 0; k < tagCount; k++)
            {
                var tag = TagWords[random.Next(TagWords.Length)];
                if (!tags.Contains(tag))
                {
                    tags.Add(tag);
                }
            }

            yield return new CatalogItem(_itemIds[i], title, categories, tags, Available: random.NextDouble() >= 0.03);
        }
    }

    /// <summary>Writes the events as one JSON Lines stream (wrap <paramref name="destination"/> in a GZipStream for .gz).</summary>
    /// <param name="destination">Where lines go; not disposed.</param>
    /// <param name="progress">Receives the number of lines written, now and then.</param>
    /// <param name="cancellationToken">Cancels the generation.</param>
    public async Task<SyntheticLogSummary> WriteEventsAsync(Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var simulation = new Simulation(this);
        using var buffer = new JsonLineBuffer();
        long lines = 0;
        while (simulation.WriteNext(buffer, out _))
        {
            if (++lines % ProgressEvery == 0)
            {
                progress?.Report(lines);
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (buffer.Length >= ChunkBytes)
            {
                await destination.WriteAsync(buffer.Written, cancellationToken).ConfigureAwait(false);
                buffer.Clear();
            }
        }

        await destination.WriteAsync(buffer.Written, cancellationToken).ConfigureAwait(false);
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        progress?.Report(lines);
        return simulation.ToSummary([]);
    }

    /// <summary>
    /// Writes the events as partitioned files <c>yyyy/MM/dd/HH/&lt;source&gt;-&lt;n&gt;.jsonl[.gz]</c> of at most
    /// <paramref name="linesPerFile"/> lines, each in the hour folder of its first line.
    /// </summary>
    public async Task<SyntheticLogSummary> WriteEventsAsync(IBlobDestination destination, string source = DefaultSource, int linesPerFile = PartitionedEventLogWriter.DefaultLinesPerFile, bool gzip = false, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var simulation = new Simulation(this);
        using var writer = new PartitionedEventLogWriter(destination, source, linesPerFile, gzip);
        using var line = new JsonLineBuffer(initialCapacity: 1024);
        long lines = 0;
        while (simulation.WriteNext(line, out var time))
        {
            writer.WriteRawLine(line.Written.Span[..^1], time);
            line.Clear();
            if (++lines % ProgressEvery == 0)
            {
                await writer.FlushCompletedAsync(cancellationToken).ConfigureAwait(false);
                progress?.Report(lines);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        progress?.Report(lines);
        return simulation.ToSummary(writer.Files);
    }

    /// <summary>Writes the catalog as <c>items.jsonl</c> to a stream.</summary>
    public Task WriteCatalogAsync(Stream destination, CancellationToken cancellationToken = default) =>
        CatalogFileWriter.WriteAsync(destination, GetCatalog(), cancellationToken);

    /// <summary>Writes events into the events container (partitioned) and the catalog as <c>catalog/items.jsonl</c>.</summary>
    public async Task<SyntheticLogSummary> WriteToStoreAsync(IBlobStore store, bool gzip = false, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await CatalogFileWriter.WriteAsync(new BlobStoreDestination(store, ContainerNames.Catalog), CatalogBlobName, GetCatalog(), cancellationToken).ConfigureAwait(false);
        return await WriteEventsAsync(new BlobStoreDestination(store, ContainerNames.Events), DefaultSource, PartitionedEventLogWriter.DefaultLinesPerFile, gzip, progress, cancellationToken).ConfigureAwait(false);
    }

    private static int[] Permutation(int count, ref DeterministicRandom random)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        for (var i = count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    /// <summary>Splits <paramref name="events"/> over users in proportion to their activity, exactly.</summary>
    private static int[] AllocateEvents(long events, double[] activity)
    {
        var total = activity.Sum();
        var counts = new int[activity.Length];
        long assigned = 0;
        for (var u = 0; u < activity.Length; u++)
        {
            counts[u] = checked((int)Math.Floor(events * activity[u] / total));
            assigned += counts[u];
        }

        for (var u = 0; assigned < events; u = (u + 1) % activity.Length)
        {
            counts[u]++;
            assigned++;
        }

        return counts;
    }

    /// <summary>Items with weights, sampled by binary search over cumulative weights.</summary>
    private sealed class WeightedPool
    {
        private readonly int[] _items;
        private readonly double[] _cumulative;

        private WeightedPool(int[] items, double[] cumulative)
        {
            _items = items;
            _cumulative = cumulative;
        }

        public bool IsEmpty => _items.Length == 0;

        public static WeightedPool Create(int count, Func<int, double> weight)
        {
            var items = new List<int>();
            var cumulative = new List<double>();
            var total = 0.0;
            for (var i = 0; i < count; i++)
            {
                var w = weight(i);
                if (w > 0)
                {
                    total += w;
                    items.Add(i);
                    cumulative.Add(total);
                }
            }

            return new WeightedPool([.. items], [.. cumulative]);
        }

        public int Sample(ref DeterministicRandom random)
        {
            var target = random.NextDouble() * _cumulative[^1];
            var index = Array.BinarySearch(_cumulative, target);
            index = index < 0 ? ~index : index + 1;
            return _items[Math.Min(index, _items.Length - 1)];
        }
    }

    /// <summary>One run of the generator: user states, the time-ordered queue of next events, and counters.</summary>
    private sealed class Simulation
    {
        private const int SeenBitsPerEvent = 8;

        private readonly SyntheticLogGenerator _world;
        private readonly double _badLineFraction;
        private readonly long _startSeconds;
        private readonly int[] _remaining;
        private readonly int[] _sessionLeft;
        private readonly int[] _sessionTaste;
        private readonly int[] _sessionsLeft;
        private readonly long[] _sessionStart;
        private readonly long _endSeconds;
        private readonly long[] _seenOffset;
        private readonly int[] _seenBits;
        private readonly ulong[] _seen;
        private readonly PriorityQueue<int, (long Time, int User)> _queue;
        private readonly Dictionary<string, long> _badByReason = new(StringComparer.Ordinal);
        private DeterministicRandom _random;
        private DeterministicRandom _badRandom;
        private long _events;
        private long _badLines;
        private long _firstSeconds = long.MinValue;
        private long _lastSeconds;

        public Simulation(SyntheticLogGenerator world)
        {
            _world = world;
            var options = world._options;
            _badLineFraction = options.BadLineFraction;
            _random = new DeterministicRandom((ulong)options.Seed ^ 0x5E55_1045_0000_0002UL);
            _badRandom = new DeterministicRandom((ulong)options.Seed ^ 0xBAD1_1AE5_0000_0003UL);
            _startSeconds = options.Start.ToUnixTimeSeconds();
            var users = world._userEvents.Length;
            _remaining = (int[])world._userEvents.Clone();
            _sessionLeft = new int[users];
            _sessionTaste = new int[users];
            _sessionsLeft = new int[users];
            _sessionStart = new long[users];
            _endSeconds = _startSeconds + (options.Days * 86_400L);
            _seenOffset = new long[users];
            _seenBits = new int[users];
            long words = 0;
            for (var u = 0; u < users; u++)
            {
                _seenOffset[u] = words;
                var userWords = Math.Max(1, ((long)_remaining[u] * SeenBitsPerEvent + 63) / 64);
                _seenBits[u] = (int)Math.Min(int.MaxValue, userWords * 64);
                words += userWords;
            }

            _seen = new ulong[words];
            _queue = new PriorityQueue<int, (long, int)>(users, Comparer<(long Time, int User)>.Create((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.User.CompareTo(b.User)));
            for (var u = 0; u < users; u++)
            {
                if (_remaining[u] == 0)
                {
                    continue;
                }

                _sessionsLeft[u] = Math.Max(1, (int)Math.Round(_remaining[u] / MeanSessionLength));
                _queue.Enqueue(u, (NextSessionStart(_startSeconds, _sessionsLeft[u]), u));
            }
        }

        /// <summary>Writes the next line (newline-terminated) and its time; returns false when all events are written.</summary>
        public bool WriteNext(JsonLineBuffer buffer, out DateTimeOffset time)
        {
            if (!_queue.TryPeek(out var user, out var next))
            {
                time = default;
                return false;
            }

            time = DateTimeOffset.FromUnixTimeSeconds(next.Time);

            // Drawn before every valid line: a run of k malformed lines has probability P^k (1-P), so P of all lines are malformed.
            if (_badLineFraction > 0 && _badRandom.NextDouble() < _badLineFraction)
            {
                WriteBadLine(buffer, next.Time);
                return true;
            }

            _queue.Dequeue();
            WriteEvent(buffer, user, next.Time);
            if (_remaining[user] > 0)
            {
                var following = _sessionLeft[user] > 0
                    ? next.Time + 1 + (long)Math.Min(MaxGapInSessionSeconds - 1, _random.NextExponential(MeanGapInSessionSeconds))
                    : Math.Max(next.Time + MinGapBetweenSessionsSeconds + 1, NextSessionStart(_sessionStart[user], _sessionsLeft[user]));
                _queue.Enqueue(user, (following, user));
            }

            return true;
        }

        public SyntheticLogSummary ToSummary(IReadOnlyList<string> files)
        {
            var first = _firstSeconds == long.MinValue ? _startSeconds : _firstSeconds;
            var last = _firstSeconds == long.MinValue ? _startSeconds : _lastSeconds;
            return new SyntheticLogSummary(
                _events,
                _badLines,
                new SortedDictionary<string, long>(_badByReason, StringComparer.Ordinal),
                DateTimeOffset.FromUnixTimeSeconds(first),
                DateTimeOffset.FromUnixTimeSeconds(last),
                [.. files]);
        }

        private void WriteEvent(JsonLineBuffer buffer, int user, long seconds)
        {
            if (_sessionLeft[user] == 0)
            {
                // Sessions vary in length around the user's average, and every remaining session gets at least one event.
                var sessions = _sessionsLeft[user];
                var length = sessions == 1 ? _remaining[user] : (int)Math.Round(_remaining[user] / (double)sessions * (0.25 + (1.5 * _random.NextDouble())));
                _sessionLeft[user] = Math.Clamp(length, 1, _remaining[user] - (sessions - 1));
                _sessionsLeft[user] = sessions - 1;
                _sessionStart[user] = seconds;
                _sessionTaste[user] = PickTaste(user);
            }

            string type;
            int item;
            if (_random.NextDouble() < SkipProbability)
            {
                type = "skip";
                item = PickOutsideTastes(user);
            }
            else
            {
                var choice = _random.NextDouble();
                var pool = choice < SessionTasteProbability ? _world._tastePools[_sessionTaste[user]]
                    : choice < SessionTasteProbability + OtherTasteProbability ? _world._tastePools[PickTaste(user)]
                    : _world._allItems;
                item = PickUnseen(user, pool);
                var kind = _random.NextDouble();
                type = kind < 0.70 ? "view" : kind < 0.87 ? "click" : kind < 0.96 ? "like" : "purchase";
            }

            MarkSeen(user, item);
            _remaining[user]--;
            _sessionLeft[user]--;

            var writer = buffer.BeginLine();
            writer.WriteStartObject();
            writer.WriteString("userId"u8, _world._userIds[user]);
            writer.WriteString("itemId"u8, _world._itemIds[item]);
            writer.WriteString("type"u8, type);
            var style = _random.NextDouble();
            if (style < 0.10)
            {
                writer.WriteNumber("timestamp"u8, seconds);
            }
            else
            {
                Span<byte> text = stackalloc byte[32];
                writer.WriteString("timestamp"u8, text[..FormatIso(seconds, style < 0.15 ? 120 : 0, text)]);
            }

            if (type == "view" && _random.NextDouble() < 0.5)
            {
                writer.WriteNumber("value"u8, 5 + (int)_random.NextExponential(60));
            }
            else
            {
                writer.WriteNull("value"u8);
            }

            writer.WriteEndObject();
            buffer.EndLine();

            _events++;
            if (_firstSeconds == long.MinValue)
            {
                _firstSeconds = seconds;
            }

            _lastSeconds = seconds;
        }

        /// <summary>The first of <paramref name="sessions"/> uniform times between <paramref name="from"/> and the end of the horizon.</summary>
        private long NextSessionStart(long from, int sessions)
        {
            var span = Math.Max(0, _endSeconds - from);
            return from + (long)(span * (1 - Math.Pow(1 - _random.NextDouble(), 1.0 / sessions)));
        }

        private int PickTaste(int user)
        {
            var r = _random.NextDouble();
            var count = _world._userTasteCount[user];
            for (var j = 0; j < count - 1; j++)
            {
                if (r < _world._userTasteCumulative[(user * 3) + j])
                {
                    return _world._userTastes[(user * 3) + j];
                }
            }

            return _world._userTastes[(user * 3) + count - 1];
        }

        private int PickUnseen(int user, WeightedPool pool)
        {
            // A heavy user exhausts a taste's favourites: then look anywhere before accepting a repeat.
            var item = pool.Sample(ref _random);
            for (var attempt = 1; attempt < 2 * UnseenItemTries && IsSeen(user, item); attempt++)
            {
                item = (attempt < UnseenItemTries ? pool : _world._allItems).Sample(ref _random);
            }

            return item;
        }

        private int PickOutsideTastes(int user)
        {
            var item = _world._allItems.Sample(ref _random);
            for (var attempt = 1; attempt < 20 && (_world._itemCategoryMask[item] & _world._userCategoryMask[user]) != 0; attempt++)
            {
                item = _world._allItems.Sample(ref _random);
            }

            return item;
        }

        private bool IsSeen(int user, int item)
        {
            var hash = Mix(((ulong)(uint)user << 32) | (uint)item);
            for (var k = 0; k < 3; k++)
            {
                var bit = (long)((hash >> (21 * k)) & 0x1F_FFFF) % _seenBits[user];
                if ((_seen[_seenOffset[user] + (bit >> 6)] & (1UL << (int)(bit & 63))) == 0)
                {
                    return false;
                }
            }

            return true;
        }

        private void MarkSeen(int user, int item)
        {
            var hash = Mix(((ulong)(uint)user << 32) | (uint)item);
            for (var k = 0; k < 3; k++)
            {
                var bit = (long)((hash >> (21 * k)) & 0x1F_FFFF) % _seenBits[user];
                _seen[_seenOffset[user] + (bit >> 6)] |= 1UL << (int)(bit & 63);
            }
        }

        private void WriteBadLine(JsonLineBuffer buffer, long seconds)
        {
            var user = _world._userIds[_badRandom.Next(_world._userIds.Length)];
            var item = _world._itemIds[_badRandom.Next(_world._itemIds.Length)];
            Span<byte> isoBytes = stackalloc byte[32];
            var iso = Encoding.ASCII.GetString(isoBytes[..FormatIso(seconds, 0, isoBytes)]);
            var variant = _badRandom.Next(4);
            string reason;
            byte[] line;
            switch (_badRandom.Next(8))
            {
                case 0:
                    reason = RejectionReasons.InvalidJson;
                    line = Utf8(variant switch
                    {
                        0 => $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"view","timest""",
                        1 => $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"view","timestamp":"{{iso}}" """,
                        2 => $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"view","timestamp":"{{iso}}" """ + "}}",
                        _ => $"userId={user} itemId={item} type=view",
                    });
                    break;
                case 1:
                    reason = RejectionReasons.MissingField;
                    line = Utf8(variant switch
                    {
                        0 => $$"""{"itemId":"{{item}}","type":"view","timestamp":"{{iso}}","value":null}""",
                        1 => $$"""{"userId":"{{user}}","type":"click","timestamp":"{{iso}}","value":null}""",
                        2 => $$"""{"userId":"{{user}}","itemId":"","type":"view","timestamp":"{{iso}}","value":null}""",
                        _ => $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"view","value":null}""",
                    });
                    break;
                case 2:
                    reason = RejectionReasons.BadTimestamp;
                    line = Utf8(variant switch
                    {
                        0 => $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"view","timestamp":"yesterday","value":null}""",
                        1 => $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"view","timestamp":"{{iso[..4]}}-02-30T10:00:00Z","value":null}""",
                        2 => $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"view","timestamp":"{{iso[..^1]}}","value":null}""",
                        _ => $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"view","timestamp":{{seconds * 1000}},"value":null}""",
                    });
                    break;
                case 3:
                    reason = RejectionReasons.UnknownType;
                    var type = variant switch { 0 => "viewed", 1 => "purchased", 2 => "watch", _ => "add_to_cart" };
                    line = Utf8($$"""{"userId":"{{user}}","itemId":"{{item}}","type":"{{type}}","timestamp":"{{iso}}","value":null}""");
                    break;
                case 4:
                    reason = RejectionReasons.IdTooLong;
                    var longId = item + new string('0', EventReaderOptions.MaxIdLength + 1 + _badRandom.Next(200));
                    line = Utf8(variant % 2 == 0
                        ? $$"""{"userId":"{{user}}","itemId":"{{longId}}","type":"view","timestamp":"{{iso}}","value":null}"""
                        : $$"""{"userId":"{{longId}}","itemId":"{{item}}","type":"view","timestamp":"{{iso}}","value":null}""");
                    break;
                case 5:
                    reason = RejectionReasons.ControlCharacter;
                    line = variant switch
                    {
                        0 => Utf8($$"""{"userId":"{{user}}\u0007","itemId":"{{item}}","type":"view","timestamp":"{{iso}}","value":null}"""),
                        1 => Utf8($$"""{"userId":"{{user}}","itemId":"{{item}}\n","type":"view","timestamp":"{{iso}}","value":null}"""),
                        _ => Splice($"{{\"userId\":\"{user}", [0x01], $"\",\"itemId\":\"{item}\",\"type\":\"view\",\"timestamp\":\"{iso}\",\"value\":null}}"),
                    };
                    break;
                case 6:
                    reason = RejectionReasons.InvalidUtf8;
                    byte[] invalid = variant switch { 0 => [0xC3, 0x28], 1 => [0xFF], 2 => [0xED, 0xA0, 0x80], _ => [0xE2, 0x82] };
                    line = Splice($"{{\"userId\":\"{user}\",\"itemId\":\"{item}", invalid, $"\",\"type\":\"view\",\"timestamp\":\"{iso}\",\"value\":null}}");
                    break;
                default:
                    reason = RejectionReasons.BadValue;
                    line = Utf8(variant % 2 == 0
                        ? $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"view","timestamp":"{{iso}}","value":"lots"}"""
                        : $$"""{"userId":"{{user}}","itemId":"{{item}}","type":"view","timestamp":"{{iso}}","value":true}""");
                    break;
            }

            buffer.WriteRawLine(line);
            _badLines++;
            _badByReason[reason] = _badByReason.GetValueOrDefault(reason) + 1;
        }

        private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

        private static byte[] Splice(string before, byte[] middle, string after) => [.. Encoding.UTF8.GetBytes(before), .. middle, .. Encoding.UTF8.GetBytes(after)];

        private static int FormatIso(long seconds, int offsetMinutes, Span<byte> destination)
        {
            var time = DateTimeOffset.FromUnixTimeSeconds(seconds).ToOffset(TimeSpan.FromMinutes(offsetMinutes));
            var format = offsetMinutes == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:sszzz";
            return time.TryFormat(destination, out var written, format, CultureInfo.InvariantCulture) ? written : throw new InvalidOperationException("The timestamp buffer is too small.");
        }

        private static ulong Mix(ulong x)
        {
            x ^= x >> 33;
            x *= 0xFF51AFD7ED558CCD;
            x ^= x >> 33;
            x *= 0xC4CEB9FE1A85EC53;
            return x ^ (x >> 33);
        }
    }
}
