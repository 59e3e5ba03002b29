using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Archive.Core.Tests.Records;
using Archive.Documents;
using Archive.Handover;
using Archive.Records;
using Archive.Retention;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xunit;
using static Archive.Core.Tests.Reorganisation.ReorgFixture;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Core.Tests.Handover;

/// <summary>The printable documents (XLSX/DOCX) travel in the bag, listed in its manifest and covered by the seal.</summary>
public sealed class HandoverDocumentsTests
{
    private static readonly string[] Documents =
    [
        "data/catalogue/muc-luc-ho-so.xlsx",
        "data/catalogue/muc-luc-ho-so.docx",
        "data/catalogue/ho-so-chua-giai-quyet-xong.xlsx",
        "data/catalogue/ho-so-chua-giai-quyet-xong.docx",
        "data/catalogue/bien-ban-giao-nhan.docx",
    ];

    [Fact]
    public async Task Export_carries_the_catalogue_unfinished_list_and_handover_record_in_the_sealed_manifest()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = Create();
        await h.SeedCommunesAsync();
        using var cert = Certificate("UBND xã An Bình");
        var f1 = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.VP", 2024, "P-A") with { Maintenance = RetentionPeriod.Permanent, Title = "Hồ sơ hợp nhất xã", SheetNumber = 12 }, ArchiveHarness.User, ct)).Stored;
        var d1 = await h.Files.AddDocumentAsync(f1.Value.FileCode, ArchiveHarness.DocInput(), f1.Version, ArchiveHarness.User, ct);
        var content = RandomNumberGenerator.GetBytes(10_000);
        await h.Files.AddContentAsync(f1.Value.FileCode, 1, new ContentUpload { FileName = "Bản scan 01.jpg", Content = new MemoryStream(content) }, d1.Stored.Version, ArchiveHarness.User, ct);
        await h.Files.CreateAsync(ArchiveHarness.FileInput("03.KH", 2022, "P-A"), ArchiveHarness.User, ct);
        await h.Files.CreateAsync(ArchiveHarness.FileInput("02.DC", 2025, "P-A") with { Status = RecordFileStatus.Unfinished, UnfinishedNote = "Chờ ý kiến của Sở Nội vụ" }, ArchiveHarness.User, ct);

        var progress = new List<HandoverProgress>();
        var export = await h.Handover().ExportToFolderAsync(
            new HandoverRequest
            {
                FondsCode = "P-A",
                ReceivingAgencyId = C,
                SealCertificate = cert,
                Documents = new HandoverDocumentDetails
                {
                    Place = "An Bình",
                    RecordNumber = "01/BB-VP",
                    HandingRepresentatives = [new Person("Nguyễn Văn An", "Chủ tịch")],
                    ReceivingRepresentatives = [new Person("Lê Văn Cường", "Phó Chủ tịch")],
                    Paper = new PaperQuantity { Boxes = 2, Files = 3, ShelfMetres = 0.2m },
                    Condition = "Tài liệu đầy đủ",
                },
            },
            Path.Combine(h.DataPath, "bag"),
            ArchiveHarness.User,
            progress: new Progress(progress.Add),
            cancellationToken: ct);

        // Every document is in the bag, in the payload manifest with its SHA-256, and the sealed bag verifies.
        var manifest = (await File.ReadAllLinesAsync(Path.Combine(export.Path, BagIt.ManifestFile), ct))
            .Select(l => l.Split("  ", 2)).ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal);
        foreach (var doc in Documents)
        {
            var file = Path.Combine(export.Path, doc);
            Assert.True(File.Exists(file), doc);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file, ct))), manifest[doc]);
            Assert.False(File.Exists(file + ".part"));
        }

        Assert.Equal(progress[^1].FilesTotal, progress[^1].FilesDone);
        var verified = await BagIt.VerifyAsync(export.Path, cert, cancellationToken: ct);
        Assert.True(verified.IsValid, string.Join("; ", verified.Problems));

        // Tampering with a printed document breaks the bag.
        var record = Path.Combine(export.Path, "data", "catalogue", "bien-ban-giao-nhan.docx");
        var bytes = await File.ReadAllBytesAsync(record, ct);
        bytes[^10] ^= 0xFF;
        var tampered = Path.Combine(h.DataPath, "tampered");
        foreach (var file in Directory.EnumerateFiles(export.Path, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(tampered, Path.GetRelativePath(export.Path, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        await File.WriteAllBytesAsync(Path.Combine(tampered, "data", "catalogue", "bien-ban-giao-nhan.docx"), bytes, ct);
        var broken = await BagIt.VerifyAsync(tampered, cert, cancellationToken: ct);
        Assert.Contains(broken.Problems, p => p.Kind == BagProblemKind.ChecksumMismatch && p.Path == "data/catalogue/bien-ban-giao-nhan.docx");

        // The catalogue: two finished files, totals in words.
        using (var xlsx = SpreadsheetDocument.Open(Path.Combine(export.Path, Documents[0]), false))
        {
            Valid(xlsx);
            var cells = xlsx.WorkbookPart!.WorksheetParts.Single().Worksheet!.Descendants<S.Cell>()
                .ToDictionary(c => c.CellReference!.Value!, c => c.InlineString?.InnerText ?? c.CellValue?.Text ?? string.Empty, StringComparer.Ordinal);
            Assert.Equal("ỦY BAN NHÂN DÂN XÃ AN BÌNH", cells["A1"]);
            Assert.Equal("MỤC LỤC HỒ SƠ", cells["A5"]);
            Assert.Equal("Phông Ủy ban nhân dân xã An Bình (P-A)", cells["A6"]);
            // Ordered by file code (the year comes first): 2022.03.KH, then 2024.01.VP.
            Assert.Equal("03.KH", cells["B11"]);
            Assert.Equal("10 năm", cells["F11"]);
            Assert.Equal("01.VP", cells["B12"]);
            Assert.Equal("Hồ sơ hợp nhất xã", cells["C12"]);
            Assert.Equal("Vĩnh viễn", cells["F12"]);
            Assert.Equal("12", cells["G12"]);
            Assert.Contains("Tổng số: 2 (Hai) hồ sơ", cells.Values);
        }

        using (var docx = WordprocessingDocument.Open(Path.Combine(export.Path, Documents[3]), false))
        {
            Valid(docx);
            var rows = docx.MainDocumentPart!.Document!.Body!.Elements<W.Table>().ElementAt(1).Elements<W.TableRow>().ToList();
            Assert.Equal(3, rows.Count);
            Assert.Contains("Chờ ý kiến của Sở Nội vụ", rows[2].InnerText, StringComparison.Ordinal);
            Assert.Contains("DANH SÁCH HỒ SƠ CHƯA GIẢI QUYẾT XONG", docx.MainDocumentPart.Document.Body.InnerText, StringComparison.Ordinal);
        }

        using (var docx = WordprocessingDocument.Open(record, false))
        {
            Valid(docx);
            var paragraphs = docx.MainDocumentPart!.Document!.Body!.Elements<W.Paragraph>().Select(p => p.InnerText).ToList();
            Assert.Contains("BÊN GIAO: Ủy ban nhân dân xã An Bình", paragraphs);
            Assert.Contains("BÊN NHẬN: Ủy ban nhân dân xã An Minh", paragraphs);
            Assert.Contains("- Ông (bà): Nguyễn Văn An; Chức vụ: Chủ tịch", paragraphs);
            Assert.Contains("1. Tên khối tài liệu giao nhận: Phông Ủy ban nhân dân xã An Bình (P-A)", paragraphs);
            Assert.Contains("2. Thời gian của tài liệu: Từ năm 2022 đến năm 2025", paragraphs);
            Assert.Contains("- Tổng số hộp (cặp): 2", paragraphs);
            Assert.Contains("- Tổng số hồ sơ: 3", paragraphs);
            Assert.Contains("- Tổng số tệp (file) tài liệu: 1", paragraphs);
            Assert.Contains("- Dung lượng: 10.000 byte (9,77 KB)", paragraphs);
            Assert.Contains("Căn cứ Luật Lưu trữ số 33/2024/QH15 ngày 21 tháng 6 năm 2024;", paragraphs);
            Assert.Contains("ĐẠI DIỆN BÊN GIAO", docx.MainDocumentPart.Document.Body.InnerText, StringComparison.Ordinal);
            Assert.Contains("ĐẠI DIỆN BÊN NHẬN", docx.MainDocumentPart.Document.Body.InnerText, StringComparison.Ordinal);
        }
    }

    private static void Valid(OpenXmlPackage package)
    {
        var errors = new OpenXmlValidator(FileFormatVersions.Microsoft365).Validate(package).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.Description)));
    }

    private static X509Certificate2 Certificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest($"CN={name}, O=Việt Nam", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    private sealed class Progress(Action<HandoverProgress> report) : IProgress<HandoverProgress>
    {
        public void Report(HandoverProgress value) => report(value);
    }
}
