namespace ServerlessRec.Serving;

/// <summary>
/// Every tombstone of a store, keyed and legacy, as read by <see cref="ForgottenUsers.ReadAllAsync"/>: answers when a
/// user id was forgotten without the ids themselves ever being stored.
/// </summary>
public sealed class ForgottenUserSet
{
    private readonly UserIdHasher? _hasher;
    private readonly IReadOnlyDictionary<string, DateTimeOffset> _keyed;
    private readonly IReadOnlyDictionary<string, DateTimeOffset> _legacy;

    /// <summary>Creates the set.</summary>
    /// <param name="hasher">The deployment's hasher; required when <paramref name="keyed"/> is not empty.</param>
    /// <param name="keyed">HMAC-SHA256 of user ids (<see cref="UserIdHasher.Hash"/>) → when each was forgotten.</param>
    /// <param name="legacy">Unkeyed SHA-256 of user ids (tombstones written before the keyed hash) → when each was forgotten.</param>
    public ForgottenUserSet(UserIdHasher? hasher, IReadOnlyDictionary<string, DateTimeOffset> keyed, IReadOnlyDictionary<string, DateTimeOffset> legacy)
    {
        ArgumentNullException.ThrowIfNull(keyed);
        ArgumentNullException.ThrowIfNull(legacy);
        if (keyed.Count > 0 && hasher is null)
        {
            throw new ArgumentException("keyed tombstones need the hasher that wrote them", nameof(hasher));
        }

        _hasher = hasher;
        _keyed = keyed;
        _legacy = legacy;
    }

    /// <summary>Gets a set with no forgotten users.</summary>
    public static ForgottenUserSet Empty { get; } = new(null, new Dictionary<string, DateTimeOffset>(), new Dictionary<string, DateTimeOffset>());

    /// <summary>Gets the number of tombstones (a user forgotten before and after the upgrade counts twice).</summary>
    public int Count => _keyed.Count + _legacy.Count;

    /// <summary>
    /// Returns one stable string per tombstone (its kind, hash and <c>forgottenAt</c>), so a step can record which tombstones
    /// it has acted on without storing ids; a user forgotten again gets a new fingerprint.
    /// </summary>
    public IEnumerable<string> Fingerprints()
    {
        foreach (var (hash, at) in _keyed)
        {
            yield return $"hmac:{hash}@{at.UtcTicks}";
        }

        foreach (var (hash, at) in _legacy)
        {
            yield return $"sha256:{hash}@{at.UtcTicks}";
        }
    }

    /// <summary>Returns when this user was forgotten (the later tombstone when there are two), or null when never.</summary>
    public DateTimeOffset? ForgottenAt(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        DateTimeOffset? keyed = _keyed.Count > 0 && _keyed.TryGetValue(_hasher!.Hash(userId), out var k) ? k : null;
        DateTimeOffset? legacy = _legacy.Count > 0 && _legacy.TryGetValue(UserIdHasher.LegacySha256(userId), out var l) ? l : null;
        return ForgottenUsers.Later(keyed, legacy);
    }
}
