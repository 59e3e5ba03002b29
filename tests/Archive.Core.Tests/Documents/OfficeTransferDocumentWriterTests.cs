using Archive.Documents;
using Archive.Transfer;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xunit;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Core.Tests.Documents;

public sealed class OfficeTransferDocumentWriterTests
{
    [Fact]
    public async Task Writes_the_deposit_catalogue_and_transfer_record_as_valid_office_files()
    {
        var ct = TestContext.Current.CancellationToken;
        var rows = Enumerable.Range(1, 21).Select(i => new DepositRow
        {
            No = i,
            FileCode = $"000.01.31.H26.2015.{i:00}.VP",
            FondsCode = "P-A",
            FileNotation = $"{i:00}.VP",
            Title = $"Hồ sơ số {i}",
            StartDate = new DateOnly(2015, 1, 5),
            EndDate = new DateOnly(2015, 12, 20),
            RetentionText = "Vĩnh viễn",
            Rights = AccessLevel.Public,
            Sheets = 10,
            Pages = 20,
            PackagePath = $"representations/rep1/data/{i}",
        }).ToList();
        var catalogue = new DepositCatalogue { TransferId = "NL-P-A-2026", SubmittingAgencyId = "000.01.31.H26", Files = rows, TotalInWords = "hai mươi mốt hồ sơ" };
        var record = new TransferRecordData
        {
            TransferId = "NL-P-A-2026",
            Submitting = new TransferParty("000.01.31.H26", "Ủy ban nhân dân xã An Bình", "Nguyễn Văn An"),
            Receiving = new TransferParty("000.00.00.H26", "Trung tâm Lưu trữ lịch sử tỉnh", null),
            Fonds = [new("P-A", "Ủy ban nhân dân xã An Bình")],
            RecordsBlock = "Hồ sơ vĩnh viễn phông Ủy ban nhân dân xã An Bình",
            From = new DateOnly(2015, 1, 5),
            To = new DateOnly(2015, 12, 20),
            RecordFiles = 21,
            RecordFilesInWords = "hai mươi mốt",
            Documents = 40,
            Pages = 420,
            DigitalFiles = 40,
            DigitalBytes = 2_048,
            CatalogueAttached = "Mục lục hồ sơ, tài liệu nộp lưu: 21 hồ sơ",
            FileCodes = rows.Select(r => r.FileCode).ToList(),
            PreparedAt = new DateTimeOffset(2026, 1, 5, 23, 30, 0, TimeSpan.Zero),
            Verified = true,
        };
        var folder = Path.Combine(Path.GetTempPath(), "archive-transfer-docs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var names = await new OfficeTransferDocumentWriter(new OpenXmlDocumentWriter()).WriteAsync(catalogue, record, folder, ct);
            Assert.Equal([OfficeTransferDocumentWriter.CatalogueXlsx, OfficeTransferDocumentWriter.RecordDocx], names);
            var onDisk = Directory.GetFiles(folder).Select(f => Path.GetFileName(f)).ToList();
            Assert.True(onDisk.Count == names.Count && names.All(onDisk.Contains), "in the folder: " + string.Join(", ", onDisk));

            using (var xlsx = SpreadsheetDocument.Open(Path.Combine(folder, names[0]), false))
            {
                Valid(xlsx);
                var text = xlsx.WorkbookPart!.WorksheetParts.Single().Worksheet!.Descendants<S.Cell>().Select(c => c.InnerText).ToList();
                Assert.Contains("MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU", text);
                Assert.Contains("Tổng số: 21 (Hai mươi mốt) hồ sơ", text);
                Assert.Contains("Trong đó: Vĩnh viễn: 21 hồ sơ; Có thời hạn: 0 hồ sơ", text);
            }

            using (var docx = WordprocessingDocument.Open(Path.Combine(folder, OfficeTransferDocumentWriter.RecordDocx), false))
            {
                Valid(docx);
                var p = docx.MainDocumentPart!.Document!.Body!.Elements<W.Paragraph>().Select(x => x.InnerText).ToList();
                Assert.Contains("Về việc thu nộp hồ sơ, tài liệu vào Lưu trữ lịch sử", p);
                Assert.Contains("BÊN GIAO NỘP: Ủy ban nhân dân xã An Bình", p);
                Assert.Contains("BÊN THU NHẬN: Trung tâm Lưu trữ lịch sử tỉnh", p);
                Assert.Contains("Hôm nay, ngày 06 tháng 01 năm 2026, chúng tôi gồm:", p); // 23:30 UTC is the next day in Việt Nam
                Assert.Contains(p, x => x.StartsWith("5. Kết quả kiểm tra, đối chiếu Mục lục hồ sơ, tài liệu nộp lưu với thực tế tài liệu: Đã kiểm tra", StringComparison.Ordinal));
                Assert.Contains("ĐẠI DIỆN BÊN THU NHẬN", docx.MainDocumentPart.Document.Body.InnerText, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Valid(OpenXmlPackage package)
    {
        var errors = new OpenXmlValidator(FileFormatVersions.Microsoft365).Validate(package).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.Description)));
    }
}
