using System.Text.Json.Serialization;
using ServerlessRec.Events;

namespace ServerlessRec.Serving;

/// <summary>An event sent with a request (not yet stored) or posted to <c>/api/events</c>.</summary>
public sealed record RequestEvent
{
    /// <summary>Gets the <c>itemId</c> of the item acted on (required; 1–128 characters, no control characters).</summary>
    [JsonPropertyName("itemId")]
    public string? ItemId { get; init; }

    /// <summary>Gets the event <c>type</c>: one of the live model's event types (required).</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>Gets when it happened (ISO-8601 with an offset, or Unix seconds); the server's clock when omitted.</summary>
    [JsonPropertyName("timestamp")]
    [JsonConverter(typeof(EventTimestampJsonConverter))]
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Gets the optional <c>value</c> (a rating, dwell seconds): a finite number from -1000000 to 1000000; null when the event has none.</summary>
    [JsonPropertyName("value")]
    public double? Value { get; init; }
}

/// <summary>Filters of a recommendation request.</summary>
public sealed record RecommendationFilter
{
    /// <summary>Gets categories: an item must have at least one of them.</summary>
    [JsonPropertyName("categories")]
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>Gets a value indicating whether unavailable items are allowed (default: no).</summary>
    [JsonPropertyName("includeUnavailable")]
    public bool IncludeUnavailable { get; init; }

    /// <summary>Gets item ids the caller never wants back.</summary>
    [JsonPropertyName("excludeItemIds")]
    public IReadOnlyList<string>? ExcludeItemIds { get; init; }
}

/// <summary>The body of <c>POST /api/recommendations</c>.</summary>
public sealed record RecommendationRequest
{
    /// <summary>Gets the <c>userId</c> to recommend for (required; 1–128 characters, no control characters); their stored history is read.</summary>
    [JsonPropertyName("userId")]
    public string? UserId { get; init; }

    /// <summary>Gets <c>recentEvents</c>: at most 200 events not yet stored, used with the stored history for this request only; null or empty when there are none.</summary>
    [JsonPropertyName("recentEvents")]
    public IReadOnlyList<RequestEvent>? RecentEvents { get; init; }

    /// <summary>Gets <c>k</c>: how many items to return, 1 to 200 (default 10).</summary>
    [JsonPropertyName("k")]
    public int K { get; init; } = 10;

    /// <summary>Gets the <c>filter</c> every returned item must pass; null: available items only, no other restriction.</summary>
    [JsonPropertyName("filter")]
    public RecommendationFilter? Filter { get; init; }

    /// <summary>Gets <c>excludeSeen</c>: whether items in the user's history are left out (default true).</summary>
    [JsonPropertyName("excludeSeen")]
    public bool ExcludeSeen { get; init; } = true;

    /// <summary>Gets <c>explain</c>: whether each item carries its <c>reason</c> and <c>because</c> (default false).</summary>
    [JsonPropertyName("explain")]
    public bool Explain { get; init; }

    /// <summary>Gets the diversity (0–1): 0 ranks by relevance only; higher values re-rank with maximal marginal relevance.</summary>
    [JsonPropertyName("diversity")]
    public double Diversity { get; init; }

    /// <summary>Gets the share of the list (0–0.5) given to relevant but under-exposed items.</summary>
    [JsonPropertyName("exploration")]
    public double Exploration { get; init; }
}

/// <summary>Where a recommendation list came from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RecommendationSource>))]
public enum RecommendationSource
{
    /// <summary>The user's stored history (possibly with request events).</summary>
    [JsonStringEnumMemberName("history")]
    History,

    /// <summary>Only the events sent with the request.</summary>
    [JsonStringEnumMemberName("request")]
    Request,

    /// <summary>No usable history: the most popular items.</summary>
    [JsonStringEnumMemberName("popular")]
    Popular,

    /// <summary>The vector of a given item (similar items).</summary>
    [JsonStringEnumMemberName("item")]
    Item,

    /// <summary>The remote index (Azure AI Search) failed or missed its time budget: the instance's own copy of the vectors answered.</summary>
    [JsonStringEnumMemberName("fallback")]
    Fallback,
}

/// <summary>The arms a response can come from; the online metrics are grouped by arm.</summary>
public static class RecommendationArms
{
    /// <summary>The live model (<c>models/current.json</c>).</summary>
    public const string Champion = "champion";

    /// <summary>The challenger (<c>models/challenger.json</c>), served to the users whose bucket is below its share.</summary>
    public const string Challenger = "challenger";
}

/// <summary>Why an item is in a recommendation list (<c>reason</c>, when <c>explain</c> is on).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RecommendationReason>))]
public enum RecommendationReason
{
    /// <summary>History items explain it: <c>because</c> names them.</summary>
    [JsonStringEnumMemberName("history")]
    History,

    /// <summary>Similar to the user's session as a whole: the blend of the history ranks it, no single item does.</summary>
    [JsonStringEnumMemberName("session")]
    Session,

    /// <summary>A relevant but under-exposed item given an exploration slot.</summary>
    [JsonStringEnumMemberName("exploration")]
    Exploration,

    /// <summary>A new catalog item given one of the new-item slots (<c>Serving:NewItemShare</c>).</summary>
    [JsonStringEnumMemberName("newItem")]
    NewItem,

    /// <summary>A popular item: the user has no usable history, or the search failed and popular items answered.</summary>
    [JsonStringEnumMemberName("popular")]
    Popular,
}

/// <summary>One recommended item.</summary>
public sealed record RecommendedItem
{
    /// <summary>Gets the recommended item's <c>itemId</c>.</summary>
    [JsonPropertyName("itemId")]
    public required string ItemId { get; init; }

    /// <summary>Gets the item's <c>score</c>: higher is more relevant; its scale depends on <c>source</c>, so compare scores only within one response.</summary>
    [JsonPropertyName("score")]
    public required float Score { get; init; }

    /// <summary>Gets the history items that contributed most (when <c>explain</c> is on; empty when no single item did, see <see cref="Reason"/>).</summary>
    [JsonPropertyName("because")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Because { get; init; }

    /// <summary>Gets why the item is in the list (when <c>explain</c> is on): its history items, or a kind when no single item explains it.</summary>
    [JsonPropertyName("reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RecommendationReason? Reason { get; init; }

    /// <summary>Gets a value indicating whether the item was mixed in for exploration.</summary>
    [JsonPropertyName("exploration")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Exploration { get; init; }
}

/// <summary>The answer of <c>POST /api/recommendations</c>.</summary>
public sealed record RecommendationResponse
{
    /// <summary>
    /// Gets the id of this response (<see cref="RecommendationIds"/>): send it back as <c>recommendationId</c>, with the
    /// item's 0-based <c>position</c>, on the events it leads to (impressions, clicks, purchases) so they are attributed to it.
    /// </summary>
    [JsonPropertyName("recommendationId")]
    public string RecommendationId { get; init; } = string.Empty;

    /// <summary>Gets the model version that answered.</summary>
    [JsonPropertyName("modelVersion")]
    public required string ModelVersion { get; init; }

    /// <summary>Gets the arm that answered (<see cref="RecommendationArms"/>): <c>champion</c>, the live model.</summary>
    [JsonPropertyName("arm")]
    public string Arm { get; init; } = RecommendationArms.Champion;

    /// <summary>Gets what the list was computed from (<c>history</c>, <c>request</c>, <c>popular</c>, <c>item</c> or <c>fallback</c>).</summary>
    [JsonPropertyName("source")]
    public required RecommendationSource Source { get; init; }

    /// <summary>Gets the recommended items in ranked order: at most <c>k</c>, fewer when the filters leave fewer.</summary>
    [JsonPropertyName("items")]
    public required IReadOnlyList<RecommendedItem> Items { get; init; }
}

/// <summary>A request that cannot be served as sent; mapped to a 400 problem+json naming <see cref="Field"/>.</summary>
public sealed class RequestValidationException(string field, string message) : Exception(message)
{
    /// <summary>Gets the JSON path of the offending field.</summary>
    public string Field { get; } = field;
}

/// <summary>Validates ids and events at the serving edge, with the same rules as the event contract.</summary>
public static class RequestRules
{
    /// <summary>The maximum id length of the event contract.</summary>
    public const int MaxIdLength = 128;

    /// <summary>The largest k a request may ask for.</summary>
    public const int MaxK = 200;

    /// <summary>The most events a request may carry.</summary>
    public const int MaxRequestEvents = 200;

    /// <summary>The most item ids <c>filter.excludeItemIds</c> may hold.</summary>
    public const int MaxExcludeItemIds = 1000;

    /// <summary>The most categories <c>filter.categories</c> may hold.</summary>
    public const int MaxCategories = 50;

    /// <summary>Throws when an id is missing, too long or has control characters.</summary>
    public static string Id(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new RequestValidationException(field, $"{field} is required");
        }

        if (value.Length > MaxIdLength)
        {
            throw new RequestValidationException(field, $"{field} is longer than {MaxIdLength} characters");
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                throw new RequestValidationException(field, $"{field} contains a control character");
            }
        }

        return value;
    }

    /// <summary>Validates one request event against the model's event types.</summary>
    public static InteractionEvent Event(RequestEvent? e, string userId, EventTypeOptions types, DateTimeOffset now, string field)
    {
        if (e is null)
        {
            throw new RequestValidationException(field, $"{field} is null");
        }

        var itemId = Id(e.ItemId, field + ".itemId");
        var type = e.Type ?? throw new RequestValidationException(field + ".type", $"{field}.type is required");
        if (!types.IsKnown(type))
        {
            throw new RequestValidationException(field + ".type", $"{field}.type \"{Truncate(type)}\" is not a configured event type ({string.Join(", ", types.Types.Keys.Order(StringComparer.Ordinal))})");
        }

        if (e.Value is { } v && !EventValueRange.Contains(v))
        {
            throw new RequestValidationException(field + ".value", $"{field}.value must be {EventValueRange.Description}");
        }

        var timestamp = e.Timestamp ?? now;
        if (timestamp > now.AddDays(1))
        {
            throw new RequestValidationException(field + ".timestamp", $"{field}.timestamp is more than a day in the future");
        }

        // Whole seconds, UTC: what the log, the dataset and the seeded histories keep, so the same event is the same
        // everywhere (a seeded copy of a posted event is recognised as a duplicate, and ties order alike).
        return new InteractionEvent(userId, itemId, type, DateTimeOffset.FromUnixTimeSeconds(timestamp.ToUnixTimeSeconds()), e.Value);
    }

    /// <summary>
    /// Validates the attribution fields of a posted event: <c>recommendationId</c> must be a response's id
    /// (<see cref="RecommendationIds"/>), and <c>position</c>, which needs it, a whole number from 0 to <see cref="MaxK"/> − 1.
    /// </summary>
    /// <returns>The recommendation id, or <see langword="null"/> when the event has none.</returns>
    public static string? RecommendationId(string? recommendationId, int? position, string field)
    {
        if (recommendationId is null)
        {
            return position is null
                ? null
                : throw new RequestValidationException(field + ".position", $"{field}.position needs the recommendationId of the response that showed the item");
        }

        if (!RecommendationIds.IsValid(recommendationId))
        {
            throw new RequestValidationException(field + ".recommendationId", $"{field}.recommendationId \"{Truncate(recommendationId)}\" is not the recommendationId of a response ({RecommendationIds.Length} characters of A–Z, a–z, 0–9, '-' and '_')");
        }

        if (position is < 0 or >= MaxK)
        {
            throw new RequestValidationException(field + ".position", $"{field}.position must be a whole number from 0 to {MaxK - 1} (the item's 0-based place in the list)");
        }

        return recommendationId;
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
