using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Archive.Search.Elastic.Internal;

/// <summary>
/// The opaque paging cursor: the <c>sort</c> values of the last hit of a page (passed back as <c>search_after</c>),
/// the sort order, and a hash of the request it belongs to. Encoded as Base64url JSON:
/// <c>{"v":1,"s":0,"h":"…","a":[1.2345,"doc-id"]}</c> (relevance: score then id; date sorts: epoch milliseconds then id).
/// </summary>
internal sealed record Cursor(SearchSort Sort, ulong RequestHash, double Score, long Date, string Id)
{
    private const int FormatVersion = 1;

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
            w.WriteEndObject();
        }

        return Base64Url.EncodeToString(ms.ToArray());
    }

    /// <summary>Decodes a cursor; null when it is not one this adapter issued.</summary>
    public static Cursor? TryDecode(string text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 8192)
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

            var sort = (SearchSort)sortValue;
            var id = a[1].GetString()!;
            if (sort == SearchSort.Relevance)
            {
                return a[0].TryGetDouble(out var score) && double.IsFinite(score) ? new Cursor(sort, hash, score, 0, id) : null;
            }

            return a[0].TryGetInt64(out var date) ? new Cursor(sort, hash, 0, date, id) : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Hash of what decides the order and the set of hits: query, filters, sort (the embedded engine's definition).</summary>
    public static ulong HashOf(SearchRequest request)
    {
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
