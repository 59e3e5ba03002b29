using System.Security.Cryptography;
using Archive.Documents;
using Archive.IO;
using Archive.Records;

namespace Archive.Handover;

/// <summary>
/// What the printed handover documents say that the archive does not know: legal basis, the people who sign,
/// paper quantities, condition. Everything is optional; what is missing is printed as a dotted line to fill by hand.
/// </summary>
public sealed record HandoverDocumentDetails
{
    /// <summary>The legal basis (căn cứ), one per line; null for <see cref="DefaultLegalBasis"/>.</summary>
    public IReadOnlyList<string>? LegalBasis { get; init; }

    /// <summary>Địa danh for the date line (e.g. <c>An Bình</c>).</summary>
    public string? Place { get; init; }

    /// <summary>Where the handover takes place (tại ...).</summary>
    public string? Venue { get; init; }

    /// <summary>Số, ký hiệu of the handover record (e.g. <c>01/BB-VP</c>).</summary>
    public string? RecordNumber { get; init; }

    /// <summary>Representatives of the handing agency (the first one signs).</summary>
    public IReadOnlyList<Person> HandingRepresentatives { get; init; } = [];

    /// <summary>Representatives of the receiving agency (the first one signs).</summary>
    public IReadOnlyList<Person> ReceivingRepresentatives { get; init; } = [];

    /// <summary>Paper records handed over with the electronic ones (boxes, files, shelf metres).</summary>
    public PaperQuantity? Paper { get; init; }

    /// <summary>Tình trạng tài liệu.</summary>
    public string? Condition { get; init; }

    /// <summary>The person who compiled the catalogues (người lập); the exporting user when null.</summary>
    public string? CompiledBy { get; init; }

    /// <summary>The legal basis printed when none is given: the Archives Law and Circular 06/2025 (records of reorganised agencies).</summary>
    public static IReadOnlyList<string> DefaultLegalBasis { get; } =
    [
        "Luật Lưu trữ số 33/2024/QH15 ngày 21 tháng 6 năm 2024",
        "Thông tư số 06/2025/TT-BNV của Bộ trưởng Bộ Nội vụ",
    ];
}

/// <summary>
/// Maps a handover to the printable documents of the <see cref="IOfficeDocumentWriter"/> and writes them into the bag next to
/// the JSON/CSV catalogue: <c>data/catalogue/muc-luc-ho-so.xlsx|docx</c>,
/// <c>data/catalogue/ho-so-chua-giai-quyet-xong.xlsx|docx</c> and <c>data/catalogue/bien-ban-giao-nhan.docx</c>.
/// </summary>
internal static class HandoverDocuments
{
    /// <summary>How many files <see cref="WriteAsync"/> writes.</summary>
    internal const int FileCount = 5;

    internal const string CatalogueXlsx = "data/catalogue/muc-luc-ho-so.xlsx";
    internal const string CatalogueDocx = "data/catalogue/muc-luc-ho-so.docx";
    internal const string UnfinishedXlsx = "data/catalogue/ho-so-chua-giai-quyet-xong.xlsx";
    internal const string UnfinishedDocx = "data/catalogue/ho-so-chua-giai-quyet-xong.docx";
    internal const string RecordDocx = "data/catalogue/bien-ban-giao-nhan.docx";

    /// <summary>Writes the documents under <paramref name="root"/> (atomically, one by one) and returns their manifest entries.</summary>
    internal static async ValueTask<IReadOnlyList<(string Path, string Sha256, long Length)>> WriteAsync(
        string root,
        HandoverRequest request,
        Fonds fonds,
        string handingId,
        string receivingId,
        HandoverCatalogue catalogue,
        IEnumerable<(string LogicalPath, long Length)> payload,
        ArchiveUser user,
        AgencyRegistry agencies,
        IOfficeDocumentWriter writer,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var details = request.Documents ?? new HandoverDocumentDetails();
        var handing = (await agencies.GetAsync(handingId, cancellationToken).ConfigureAwait(false))?.Value;
        var receiving = (await agencies.GetAsync(receivingId, cancellationToken).ConfigureAwait(false))?.Value;
        var parent = handing?.ParentId is { } parentId ? (await agencies.GetAsync(parentId, cancellationToken).ConfigureAwait(false))?.Value : null;
        var date = DateOnly.FromDateTime(now.DateTime);
        var heading = new DocumentHeading { ParentAgencyName = parent?.Name, AgencyName = handing?.Name ?? handingId, Place = details.Place, Date = date };
        var all = catalogue.Files.Concat(catalogue.Unfinished).ToList();
        var from = all.Min(r => r.StartDate);
        var to = all.Max(r => r.EndDate);
        string[] subtitles =
        [
            $"{FondsName(fonds, "Phông:")} ({fonds.Code})",
            YearsLine(from, to) ?? $"Bên nhận: {receiving?.Name ?? receivingId}",
        ];
        Signature[] signatures = [new("Người lập", details.CompiledBy ?? user.Name), new("Thủ trưởng cơ quan", details.HandingRepresentatives.FirstOrDefault()?.FullName)];
        var catalogueDoc = new CatalogueDocument { Kind = CatalogueKind.FileCatalogue, Heading = heading, Subtitles = subtitles, Signatures = signatures };
        var unfinishedDoc = catalogueDoc with { Kind = CatalogueKind.UnfinishedFiles };
        var contents = payload.Where(p => p.LogicalPath.StartsWith("content/", StringComparison.Ordinal)).ToList();
        var record = new HandoverRecordDocument
        {
            Heading = heading with { Number = details.RecordNumber },
            LegalBasis = details.LegalBasis ?? HandoverDocumentDetails.DefaultLegalBasis,
            Venue = details.Venue,
            Handing = new Party { Name = handing?.Name ?? handingId, Representatives = details.HandingRepresentatives },
            Receiving = new Party { Name = receiving?.Name ?? receivingId, Representatives = details.ReceivingRepresentatives },
            RecordsBlockName = $"{FondsName(fonds, "Phông lưu trữ")} ({fonds.Code})",
            From = from,
            To = to,
            Paper = details.Paper,
            Electronic = new ElectronicQuantity { Files = catalogue.Total, DigitalFiles = contents.Count, Bytes = contents.Sum(c => c.Length) },
            Condition = details.Condition,
            Attachments =
            [
                $"Mục lục hồ sơ: {catalogue.Files.Count} hồ sơ (vĩnh viễn: {catalogue.Permanent}, có thời hạn: {catalogue.FixedTerm} trên tổng số {catalogue.Total}), tệp muc-luc-ho-so.xlsx và muc-luc-ho-so.docx",
                $"Danh sách hồ sơ chưa giải quyết xong: {catalogue.Unfinished.Count} hồ sơ, tệp ho-so-chua-giai-quyet-xong.xlsx và ho-so-chua-giai-quyet-xong.docx",
                "Cơ sở dữ liệu hồ sơ điện tử (gói BagIt có mã kiểm tra SHA-256)",
            ],
        };

        var written = new List<(string, string, long)>(FileCount);
        written.Add(await WriteFileAsync(root, CatalogueXlsx, s => writer.WriteCatalogueXlsx(catalogueDoc, catalogue.Files.Select(Entry), s), cancellationToken).ConfigureAwait(false));
        written.Add(await WriteFileAsync(root, CatalogueDocx, s => writer.WriteCatalogueDocx(catalogueDoc, catalogue.Files.Select(Entry), s), cancellationToken).ConfigureAwait(false));
        written.Add(await WriteFileAsync(root, UnfinishedXlsx, s => writer.WriteCatalogueXlsx(unfinishedDoc, catalogue.Unfinished.Select(Entry), s), cancellationToken).ConfigureAwait(false));
        written.Add(await WriteFileAsync(root, UnfinishedDocx, s => writer.WriteCatalogueDocx(unfinishedDoc, catalogue.Unfinished.Select(Entry), s), cancellationToken).ConfigureAwait(false));
        written.Add(await WriteFileAsync(root, RecordDocx, s => writer.WriteHandoverRecordDocx(record, s), cancellationToken).ConfigureAwait(false));
        return written;
    }

    /// <summary>The fonds' name with <paramref name="prefix"/> unless it already starts with "Phông".</summary>
    internal static string FondsName(Fonds fonds, string prefix) =>
        fonds.Name.StartsWith("Phông", StringComparison.OrdinalIgnoreCase) ? fonds.Name : prefix + " " + fonds.Name;

    /// <summary>The catalogue's line of years (<c>Thời gian tài liệu: 2010 - 2024</c>), or null when no file has dates.</summary>
    internal static string? YearsLine(DateOnly? from, DateOnly? to) => from is null && to is null
        ? null
        : $"Thời gian tài liệu: {from?.Year.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "…"} - {to?.Year.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "…"}";

    /// <summary>A catalogue row as a document entry.</summary>
    internal static CatalogueEntry Entry(CatalogueRow row) => new()
    {
        FileNotation = row.FileNotation,
        Title = row.Title,
        StartDate = row.StartDate,
        EndDate = row.EndDate,
        Retention = row.RetentionText,
        IsPermanent = string.Equals(row.Retention, "permanent", StringComparison.Ordinal),
        Sheets = row.Sheets,
        Pages = row.Pages,
        Notes = row.Notes,
    };

    private static async ValueTask<(string Path, string Sha256, long Length)> WriteFileAsync(string root, string bagPath, Action<Stream> write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = Path.GetFullPath(Path.Combine(root, bagPath.Replace('/', Path.DirectorySeparatorChar)));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var part = target + ".part";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length;
        var file = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None, 81920);
        await using (file.ConfigureAwait(false))
        {
            var hashing = new HashingWriteStream(file, hash);
            write(hashing);
            length = hashing.Length;
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        File.Move(part, target, overwrite: true);
        return (bagPath, Convert.ToHexStringLower(hash.GetHashAndReset()), length);
    }
}
