using System.Globalization;
using Archive.Documents;

namespace Archive.Transfer;

/// <summary>
/// The default <see cref="ITransferDocumentWriter"/>: the deposit catalogue (mục lục hồ sơ, tài liệu nộp lưu) as XLSX
/// and the transfer record (biên bản thu nộp) as DOCX, written with an <see cref="IOfficeDocumentWriter"/>.
/// </summary>
/// <param name="documents">Writes the Office files (e.g. the OpenXml writer of Archive.Documents).</param>
public sealed class OfficeTransferDocumentWriter(IOfficeDocumentWriter documents) : ITransferDocumentWriter
{
    private readonly IOfficeDocumentWriter _documents = documents ?? throw new ArgumentNullException(nameof(documents));

    /// <summary>Deposit catalogue file name.</summary>
    public const string CatalogueXlsx = "muc-luc-ho-so-nop-luu.xlsx";

    /// <summary>Transfer record file name.</summary>
    public const string RecordDocx = "bien-ban-thu-nop.docx";

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> WriteAsync(DepositCatalogue catalogue, TransferRecordData record, string documentsFolder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(documentsFolder);
        var date = DateOnly.FromDateTime((record.AccessionedAt ?? record.PreparedAt).ToOffset(SipLayout.VietnamOffset).DateTime);
        var heading = new DocumentHeading { AgencyName = record.Submitting.Name, Date = date };
        var document = new CatalogueDocument
        {
            Kind = CatalogueKind.DepositCatalogue,
            Heading = heading,
            Subtitles = [.. record.Fonds.Select(f => $"Phông: {f.Value} ({f.Key})"), "Nộp lưu vào: " + record.Receiving.Name],
            RetentionColumnTitle = "Thời hạn lưu trữ",
            Signatures = [new Signature("NGƯỜI LẬP", record.Submitting.Representative), new Signature("THỦ TRƯỞNG CƠ QUAN")],
        };
        var entries = catalogue.Files.Select(r => new CatalogueEntry
        {
            FileNotation = r.FileNotation,
            Title = r.Title,
            StartDate = r.StartDate,
            EndDate = r.EndDate,
            Retention = r.RetentionText,
            IsPermanent = true,
            Sheets = r.Sheets,
            Pages = r.Pages,
            Notes = string.Join("; ", new[] { r.FileCode, r.Rights == AccessLevel.Public ? null : TransferService.AccessText(r.Rights), r.Notes }.Where(s => !string.IsNullOrWhiteSpace(s))),
        }).ToList();
        await WriteAsync(Path.Combine(documentsFolder, CatalogueXlsx), s => _documents.WriteCatalogueXlsx(document, entries, s), cancellationToken).ConfigureAwait(false);

        var transfer = new TransferRecordDocument
        {
            Heading = heading with { Number = record.Reference },
            LegalBasis = record.LegalBasis is null ? [] : [record.LegalBasis],
            Handing = new Party { Name = record.Submitting.Name, Representatives = record.Submitting.Representative is { } a ? [new Person(a)] : [] },
            Receiving = new Party { Name = record.Receiving.Name, Representatives = record.Receiving.Representative is { } b ? [new Person(b)] : [] },
            RecordsBlockName = record.RecordsBlock,
            From = record.From,
            To = record.To,
            Electronic = new ElectronicQuantity { Files = record.RecordFiles, DigitalFiles = record.DigitalFiles, Bytes = record.DigitalBytes },
            Condition = record.Condition,
            Attachments = [string.Create(CultureInfo.InvariantCulture, $"Mục lục hồ sơ, tài liệu nộp lưu: {record.RecordFiles} hồ sơ ({record.RecordFilesInWords})")],
            CheckResult = record.Verified ? "Đã kiểm tra, đối chiếu mục lục với hồ sơ và mã kiểm tra SHA-256 của từng tệp: đầy đủ, khớp." : null,
        };
        await WriteAsync(Path.Combine(documentsFolder, RecordDocx), s => _documents.WriteTransferRecordDocx(transfer, s), cancellationToken).ConfigureAwait(false);
        return [CatalogueXlsx, RecordDocx];
    }

    private static async ValueTask WriteAsync(string path, Action<Stream> write, CancellationToken cancellationToken)
    {
        var part = path + ".part";
        var stream = new FileStream(part, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 65536);
        await using (stream.ConfigureAwait(false))
        {
            write(stream);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        File.Move(part, path, overwrite: true);
    }
}
