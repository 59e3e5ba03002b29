using Xunit;

namespace Archive.Documents.Tests;

public sealed class RecordDocumentTests
{
    public static HandoverRecordDocument Handover() => new()
    {
        Heading = Samples.Heading with { Number = "01/BB-VP" },
        LegalBasis = ["Luật Lưu trữ số 33/2024/QH15 ngày 21 tháng 6 năm 2024", "Căn cứ Nghị quyết số 1656/NQ-UBTVQH15 về sắp xếp đơn vị hành chính cấp xã"],
        Venue = "trụ sở Ủy ban nhân dân xã An Bình",
        Handing = new Party { Name = "Ủy ban nhân dân xã An Bình", Representatives = [new Person("Nguyễn Văn An", "Chủ tịch"), new Person("Trần Thị Bình", "Văn thư - lưu trữ")] },
        Receiving = new Party { Name = "Ủy ban nhân dân xã An Minh", Representatives = [new Person("Lê Văn Cường", "Phó Chủ tịch")] },
        RecordsBlockName = "Phông lưu trữ Ủy ban nhân dân xã An Bình",
        From = new DateOnly(2010, 1, 1),
        To = new DateOnly(2024, 12, 31),
        Paper = new PaperQuantity { Boxes = 12, Files = 125, ShelfMetres = 1.5m },
        Electronic = new ElectronicQuantity { Files = 125, DigitalFiles = 3_456, Bytes = 1_234_567_890 },
        Condition = "Tài liệu đầy đủ, không hư hỏng",
        Attachments = ["Mục lục hồ sơ: 01 quyển, 125 hồ sơ", "Danh sách hồ sơ chưa giải quyết xong: 02 hồ sơ"],
    };

    [Fact]
    public void Handover_record_has_every_field_of_the_form()
    {
        using var ms = new MemoryStream();
        OfficeDocuments.WriteHandoverRecordDocx(Handover(), ms);
        ms.Position = 0;
        using var doc = OfficeReader.OpenDocx(ms);
        var p = OfficeReader.Paragraphs(doc);
        var text = string.Join("\n", p);
        Assert.Contains("BIÊN BẢN", p);
        Assert.Contains("Về việc giao nhận hồ sơ, tài liệu", p);
        Assert.Contains("Căn cứ Luật Lưu trữ số 33/2024/QH15 ngày 21 tháng 6 năm 2024;", p);
        Assert.Contains("Căn cứ Nghị quyết số 1656/NQ-UBTVQH15 về sắp xếp đơn vị hành chính cấp xã;", p);
        Assert.Contains("Hôm nay, ngày 05 tháng 01 năm 2026, tại trụ sở Ủy ban nhân dân xã An Bình, chúng tôi gồm:", p);
        Assert.Contains("BÊN GIAO: Ủy ban nhân dân xã An Bình", p);
        Assert.Contains("- Ông (bà): Nguyễn Văn An; Chức vụ: Chủ tịch", p);
        Assert.Contains("- Ông (bà): Trần Thị Bình; Chức vụ: Văn thư - lưu trữ", p);
        Assert.Contains("BÊN NHẬN: Ủy ban nhân dân xã An Minh", p);
        Assert.Contains("1. Tên khối tài liệu giao nhận: Phông lưu trữ Ủy ban nhân dân xã An Bình", p);
        Assert.Contains("2. Thời gian của tài liệu: Từ năm 2010 đến năm 2024", p);
        Assert.Contains("- Tổng số hộp (cặp): 12", p);
        Assert.Contains("- Tổng số hồ sơ (đơn vị bảo quản): 125", p);
        Assert.Contains("- Quy ra mét giá: 1,5 mét", p);
        Assert.Contains("- Tổng số tệp (file) tài liệu: 3.456", p);
        Assert.Contains("- Dung lượng: 1.234.567.890 byte (1,15 GB)", p);
        Assert.Contains("4. Tình trạng tài liệu giao nhận: Tài liệu đầy đủ, không hư hỏng", p);
        Assert.Contains("- Mục lục hồ sơ: 01 quyển, 125 hồ sơ;", p);
        Assert.Contains("Biên bản này được lập thành hai (02) bản có giá trị như nhau; bên giao giữ một bản, bên nhận giữ một bản./.", p);
        Assert.DoesNotContain("Kết quả kiểm tra", text, StringComparison.Ordinal);

        var tables = OfficeReader.Tables(doc);
        Assert.Equal("ỦY BAN NHÂN DÂN HUYỆN HÒA VANG\nỦY BAN NHÂN DÂN XÃ AN BÌNH\nSố: 01/BB-VP", tables[0][0][0]);
        Assert.StartsWith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nAn Bình, ngày 05 tháng 01 năm 2026", tables[0][0][1], StringComparison.Ordinal);
        var signatures = tables[^1][0];
        Assert.StartsWith("ĐẠI DIỆN BÊN GIAO\n(Ký, ghi rõ họ tên và đóng dấu)", signatures[0], StringComparison.Ordinal);
        Assert.EndsWith("Nguyễn Văn An", signatures[0], StringComparison.Ordinal);
        Assert.StartsWith("ĐẠI DIỆN BÊN NHẬN", signatures[1], StringComparison.Ordinal);
        Assert.EndsWith("Lê Văn Cường", signatures[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Handover_record_without_details_prints_lines_to_fill_by_hand()
    {
        var doc = new HandoverRecordDocument
        {
            Heading = new DocumentHeading { AgencyName = "Sở Nội vụ" },
            Handing = new Party { Name = "Phòng Hành chính" },
            Receiving = new Party { Name = "Lưu trữ cơ quan" },
            RecordsBlockName = "Hồ sơ năm 2024",
        };
        using var ms = new MemoryStream();
        OfficeDocuments.WriteHandoverRecordDocx(doc, ms);
        ms.Position = 0;
        using var word = OfficeReader.OpenDocx(ms);
        var p = OfficeReader.Paragraphs(word);
        Assert.Contains("Hôm nay, ngày … tháng … năm ……, chúng tôi gồm:", p);
        Assert.Contains("- Tổng số hộp (cặp): ……………………………………", p);
        Assert.Contains("- Ông (bà): …………………………………… Chức vụ: ……………………………………", p);
        Assert.Contains("2. Thời gian của tài liệu: ……………………………………", p);
    }

    [Fact]
    public void Transfer_record_names_the_parties_and_the_check_against_the_catalogue()
    {
        var handover = Handover();
        var transfer = new TransferRecordDocument
        {
            Heading = handover.Heading with { AgencyName = "Trung tâm Lưu trữ lịch sử tỉnh", ParentAgencyName = "Sở Nội vụ" },
            LegalBasis = ["Thông tư số 06/2025/TT-BNV"],
            Handing = handover.Handing,
            Receiving = new Party { Name = "Trung tâm Lưu trữ lịch sử tỉnh", Representatives = [new Person("Phạm Thị Dung", "Giám đốc")] },
            RecordsBlockName = "Hồ sơ vĩnh viễn của Ủy ban nhân dân xã An Bình",
            From = new DateOnly(2015, 3, 1),
            To = new DateOnly(2015, 11, 1),
            Electronic = new ElectronicQuantity { Files = 42, DigitalFiles = 300, Bytes = 52_428_800 },
            CheckResult = "Mục lục khớp đúng với thực tế tài liệu",
            Attachments = ["Mục lục hồ sơ, tài liệu nộp lưu: 03 bản"],
            Copies = 3,
        };
        using var ms = new MemoryStream();
        OfficeDocuments.WriteTransferRecordDocx(transfer, ms);
        ms.Position = 0;
        using var word = OfficeReader.OpenDocx(ms);
        var p = OfficeReader.Paragraphs(word);
        Assert.Contains("Về việc thu nộp hồ sơ, tài liệu vào Lưu trữ lịch sử", p);
        Assert.Contains("BÊN GIAO NỘP: Ủy ban nhân dân xã An Bình", p);
        Assert.Contains("BÊN THU NHẬN: Trung tâm Lưu trữ lịch sử tỉnh", p);
        Assert.Contains("2. Thời gian của tài liệu: Năm 2015", p);
        Assert.Contains("- Dung lượng: 52.428.800 byte (50 MB)", p);
        Assert.Contains("5. Kết quả kiểm tra, đối chiếu Mục lục hồ sơ, tài liệu nộp lưu với thực tế tài liệu: Mục lục khớp đúng với thực tế tài liệu", p);
        Assert.Contains("6. Công cụ tra cứu và tài liệu kèm theo:", p);
        Assert.Contains("Biên bản này được lập thành ba (03) bản có giá trị như nhau; bên giao nộp giữ một bản, bên thu nhận giữ hai bản./.", p);
        var signatures = OfficeReader.Tables(word)[^1][0];
        Assert.StartsWith("ĐẠI DIỆN BÊN GIAO NỘP", signatures[0], StringComparison.Ordinal);
        Assert.StartsWith("ĐẠI DIỆN BÊN THU NHẬN", signatures[1], StringComparison.Ordinal);
        Assert.EndsWith("Phạm Thị Dung", signatures[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_record_without_parties_or_copies()
    {
        using var ms = new MemoryStream();
        Assert.Throws<ArgumentOutOfRangeException>(() => OfficeDocuments.WriteHandoverRecordDocx(Handover() with { Copies = 0 }, ms));
        Assert.Throws<ArgumentException>(() => OfficeDocuments.WriteHandoverRecordDocx(Handover() with { RecordsBlockName = "" }, ms));
        Assert.Equal(0, ms.Length);
    }
}
