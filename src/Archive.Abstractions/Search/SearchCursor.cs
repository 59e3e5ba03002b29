using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Archive.Search;

/// <summary>
/// The paging cursor every engine issues as <see cref="SearchResults.NextCursor"/> (search-after style): the sort
/// value and id of the last hit of a page, the sort order, a hash of the request it belongs to (<see cref="HashOf"/>),
/// and optionally the engine's point-in-time view that served the page. Opaque to callers; encoded as Base64url JSON
/// <c>{"v":1,"s":0,"h":"…","a":[1.2345,"doc-id"],"p":"…"}</c> (relevance: score then id; date sorts: epoch value then id).
/// </summary>
/// <param name="Sort">The sort order of the search.</param>
/// <param name="RequestHash">Hash of the query, filters and sort (<see cref="HashOf"/>).</param>
/// <param name="Score">The last hit's score (relevance sort).</param>
/// <param name="Date">The last hit's date sort value, in the engine's unit (date sorts).</param>
/// <param name="Id">The last hit's document id (the tie-breaker).</param>
public sealed record SearchCursor(SearchSort Sort, ulong RequestHash, double Score, long Date, string Id)
{
    private const int FormatVersion = 1;
    private const int MaxLength = 8192;

    /// <summary>The engine's view that served the page (e.g. an index generation and searcher version), if it keeps one.</summary>
    public string? PointInTime { get; init; }

    /// <summary>The cursor as an opaque string.</summary>
    public string Encode()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("v", FormatVersion);
            w.WriteNumber("s", (int)Sort);
            w.WriteString("h", RequestHash.ToString("x16", CultureInfo.InvariantCulture));
            w.WriteStartArray("a");
            if (Sort == SearchSort.Relevance)
            {
                w.WriteNumberValue(Score);
            }
            else
            {
                w.WriteNumberValue(Date);
            }

            w.WriteStringValue(Id);
            w.WriteEndArray();
            if (PointInTime is not null)
            {
                w.WriteString("p", PointInTime);
            }

            w.WriteEndObject();
        }

        return Base64Url.EncodeToString(ms.ToArray());
    }

    /// <summary>Decodes a cursor; <see langword="null"/> when it is not one an engine issued.</summary>
    public static SearchCursor? TryDecode(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength)
        {
            return null;
        }

        try
        {
            var bytes = Base64Url.DecodeFromChars(text);
            using var json = JsonDocument.Parse(bytes);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("v", out var v) || !v.TryGetInt32(out var version) || version != FormatVersion
                || !root.TryGetProperty("s", out var s) || !s.TryGetInt32(out var sortValue) || !Enum.IsDefined((SearchSort)sortValue)
                || !root.TryGetProperty("h", out var h) || h.ValueKind != JsonValueKind.String
                || !ulong.TryParse(h.GetString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hash)
                || !root.TryGetProperty("a", out var a) || a.ValueKind != JsonValueKind.Array || a.GetArrayLength() != 2
                || a[1].ValueKind != JsonValueKind.String || a[0].ValueKind != JsonValueKind.Number)
            {
                return null;
            }

            string? pointInTime = null;
            if (root.TryGetProperty("p", out var p))
            {
                if (p.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                pointInTime = p.GetString();
            }

            var sort = (SearchSort)sortValue;
            var id = a[1].GetString()!;
            if (sort == SearchSort.Relevance)
            {
                return a[0].TryGetDouble(out var score) && double.IsFinite(score) ? new SearchCursor(sort, hash, score, 0, id) { PointInTime = pointInTime } : null;
            }

            return a[0].TryGetInt64(out var date) ? new SearchCursor(sort, hash, 0, date, id) { PointInTime = pointInTime } : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Checks <see cref="SearchRequest.Cursor"/> against the request: adds <c>search.cursor.malformed</c> when it is not a
    /// cursor, <c>search.cursor.mismatch</c> when it belongs to another query, filters or sort. Returns the decoded
    /// cursor when it is valid, otherwise (or without a cursor) <see langword="null"/>.
    /// </summary>
    public static SearchCursor? Check(SearchRequest request, ICollection<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(errors);
        if (request.Cursor is null)
        {
            return null;
        }

        var cursor = TryDecode(request.Cursor);
        if (cursor is null)
        {
            errors.Add(new("cursor", "search.cursor.malformed", "The cursor is not one this index issued; pass NextCursor of the previous page unchanged."));
            return null;
        }

        if (cursor.Sort != request.Sort || cursor.RequestHash != HashOf(request))
        {
            errors.Add(new("cursor", "search.cursor.mismatch", "The cursor belongs to a search with another query, filters or sort."));
            return null;
        }

        return cursor;
    }

    /// <summary>Hash of what decides the order and the set of hits: query, filters, sort.</summary>
    public static ulong HashOf(SearchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sb = new StringBuilder();
        sb.Append(request.Query).Append('\u001e').Append((int)request.Sort);
        foreach (var f in request.Filters ?? [])
        {
            sb.Append('\u001e');
            switch (f)
            {
                case TermsFilter t:
                    sb.Append("t\u001f").Append(t.Field).Append('\u001f').Append(t.Exclude);
                    foreach (var v in t.Values ?? [])
                    {
                        sb.Append('\u001f').Append(v);
                    }

                    break;
                case DateRangeFilter d:
                    sb.Append("d\u001f").Append(d.From?.DayNumber).Append('\u001f').Append(d.To?.DayNumber);
                    break;
                case YearRangeFilter y:
                    sb.Append("y\u001f").Append(y.From).Append('\u001f').Append(y.To);
                    break;
                default:
                    sb.Append(f?.GetType().FullName);
                    break;
            }
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }
}
