using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Archive.Search.Lucene.Internal;

/// <summary>
/// The opaque paging cursor: where the last page ended (sort value + id, search_after style), the searcher that
/// served it (kept for a while, so later pages see the same point in time), and a hash of the request it belongs to.
/// </summary>
internal sealed record Cursor(string Generation, long SearcherVersion, ulong RequestHash, SearchSort Sort, float Score, long Date, string Id)
{
    private const byte FormatVersion = 1;

    public string Encode()
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            w.Write(Generation);
            w.Write(SearcherVersion);
            w.Write(RequestHash);
            w.Write((byte)Sort);
            w.Write(Score);
            w.Write(Date);
            w.Write(Id);
        }

        return Base64Url.EncodeToString(ms.ToArray());
    }

    /// <summary>Decodes a cursor; null when it is not one of ours.</summary>
    public static Cursor? TryDecode(string text)
    {
        try
        {
            if (text.Length > 8192)
            {
                return null;
            }

            var bytes = Base64Url.DecodeFromChars(text);
            using var r = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
            if (r.ReadByte() != FormatVersion)
            {
                return null;
            }

            var cursor = new Cursor(r.ReadString(), r.ReadInt64(), r.ReadUInt64(), (SearchSort)r.ReadByte(), r.ReadSingle(), r.ReadInt64(), r.ReadString());
            return r.BaseStream.Position == bytes.Length && Enum.IsDefined(cursor.Sort) && !float.IsNaN(cursor.Score) ? cursor : null;
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or IOException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Hash of what decides the order and the set of hits: query, filters, sort.</summary>
    public static ulong HashOf(SearchRequest request)
    {
        var sb = new StringBuilder();
        sb.Append(request.Query).Append('\u001e').Append((int)request.Sort);
        foreach (var f in request.Filters)
        {
            sb.Append('\u001e');
            switch (f)
            {
                case TermsFilter t:
                    sb.Append("t\u001f").Append(t.Field).Append('\u001f').Append(t.Exclude);
                    foreach (var v in t.Values)
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
                    sb.Append(f.GetType().FullName);
                    break;
            }
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }
}
