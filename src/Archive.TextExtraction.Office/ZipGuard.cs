using System.Buffers.Binary;
using System.IO.Compression;
using System.Xml;
using Archive.Records;

namespace Archive.TextExtraction.Office;

/// <summary>
/// Checks a ZIP-based file (DOCX, XLSX, ODT, ODS) before any part of it is parsed: the entry count from the
/// end-of-central-directory record (before the directory is read into memory), then every entry's declared size and
/// compression ratio and their total. Parts are then read through <see cref="LimitedReadStream"/>, so an entry that
/// declares less than it expands to is stopped as well.
/// </summary>
internal static class ZipGuard
{
    public const string BombReason = "Tệp nén vượt giới hạn an toàn (có thể là \"bom nén\"): không trích xuất văn bản.";
    public const string DamagedReason = "Tệp hỏng hoặc không phải tệp {0} hợp lệ: không đọc được văn bản.";
    public const string DtdReason = "Tệp chứa khai báo DTD (không được phép vì lý do an toàn): không trích xuất văn bản.";

    /// <summary>Throws <see cref="ContentTextException"/> when the ZIP breaks a limit or is not a ZIP.</summary>
    public static void Check(Stream zip, OfficeTextExtractionOptions options, string format)
    {
        var count = EntryCount(zip) ?? throw new ContentTextException(string.Format(System.Globalization.CultureInfo.InvariantCulture, DamagedReason, format));
        if (count > options.MaxZipEntries)
        {
            throw new ContentTextException(BombReason);
        }

        zip.Position = 0;
        try
        {
            using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            if (archive.Entries.Count > options.MaxZipEntries)
            {
                throw new ContentTextException(BombReason);
            }

            long total = 0;
            foreach (var entry in archive.Entries)
            {
                total += entry.Length;
                var ratio = entry.CompressedLength == 0 ? (entry.Length == 0 ? 0 : double.PositiveInfinity) : (double)entry.Length / entry.CompressedLength;
                if (total > options.MaxUncompressedBytes || (entry.Length > (1 << 20) && ratio > options.MaxCompressionRatio))
                {
                    throw new ContentTextException(BombReason);
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ContentTextException(string.Format(System.Globalization.CultureInfo.InvariantCulture, DamagedReason, format), ex);
        }
        finally
        {
            zip.Position = 0;
        }
    }

    /// <summary>The entry count of the end-of-central-directory record; null when there is none (not a ZIP) or it is a ZIP64 count.</summary>
    public static long? EntryCount(Stream zip)
    {
        var length = zip.Length;
        if (length < 22)
        {
            return null;
        }

        var tail = (int)Math.Min(length, 65_557);
        var buffer = new byte[tail];
        zip.Position = length - tail;
        zip.ReadExactly(buffer);
        for (var i = tail - 22; i >= 0; i--)
        {
            if (buffer[i] == 0x50 && buffer[i + 1] == 0x4B && buffer[i + 2] == 0x05 && buffer[i + 3] == 0x06)
            {
                var count = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(i + 10));
                return count == 0xFFFF ? long.MaxValue : count;
            }
        }

        return null;
    }

    /// <summary>Settings of every XML reader over a part: no DTD (no entity expansion, no external resolution), bounded size.</summary>
    public static XmlReaderSettings XmlSettings(OfficeTextExtractionOptions options) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = options.MaxUncompressedBytes,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = false,
    };

    /// <summary>Maps a parser's exception to the reason recorded on the content file.</summary>
    public static ContentTextException Failure(Exception ex, string format) => ex switch
    {
        ContentTextException c => c,
        XmlException x when x.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase) => new ContentTextException(DtdReason, x),
        XmlException x when x.Message.Contains("MaxCharactersInDocument", StringComparison.OrdinalIgnoreCase) || x.Message.Contains("maximum", StringComparison.OrdinalIgnoreCase) => new ContentTextException(BombReason, x),
        _ => new ContentTextException(string.Format(System.Globalization.CultureInfo.InvariantCulture, DamagedReason, format), ex),
    };
}

/// <summary>A read-only forward stream that fails with the ZIP-bomb reason after <c>limit</c> bytes.</summary>
internal sealed class LimitedReadStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        _read += n;
        if (_read > limit)
        {
            throw new ContentTextException(ZipGuard.BombReason);
        }

        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
