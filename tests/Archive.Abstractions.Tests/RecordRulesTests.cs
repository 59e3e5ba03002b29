using Archive.Records;
using Archive.Retention;
using Xunit;

namespace Archive.Abstractions.Tests;

public class RecordRulesTests
{
    private static RecordFile ValidFile() => new()
    {
        FileCode = "000.00.00.G09.2010.01.TH",
        OrganId = "000.00.00.G09",
        FileCatalog = 2010,
        FileNotation = "01.TH",
        FondsCode = "G09",
        Title = "Hồ sơ hội nghị tổng kết công tác năm 2010",
        Maintenance = RetentionPeriod.Permanent,
    };

    [Theory]
    [InlineData("000.00.00.G09", true)]
    [InlineData("000.12.30.A36", true)]
    [InlineData("000.00.00.H30", true)]
    [InlineData("G09.H30.001", false)]
    public void Agency_identifiers_in_both_forms_are_accepted(string id, bool strict)
    {
        Assert.Equal(id, AgencyIdentifier.Validate(id));
        Assert.Equal(strict, AgencyIdentifier.IsQcvn102(id));
    }

    [Theory]
    [InlineData("", "agency-id.required")]
    [InlineData("000.00.00.g09", "agency-id.format")]
    [InlineData("000..00.G09", "agency-id.format")]
    [InlineData("000.00.00.G09.", "agency-id.format")]
    [InlineData("000 00 00 G09", "agency-id.format")]
    [InlineData("000.00.00.G09.000.00.00.G09.000.00.00", "agency-id.too-long")]
    public void Bad_agency_identifiers_name_the_rule(string id, string rule)
        => Assert.Equal(rule, Assert.Throws<ArchiveValidationException>(() => AgencyIdentifier.Validate(id)).Errors[0].Rule);

    [Fact]
    public void A_valid_file_has_no_errors() => Assert.Empty(RecordRules.ValidateRecordFile(ValidFile()));

    [Fact]
    public void File_code_must_be_composed_from_its_parts()
    {
        var errors = RecordRules.ValidateRecordFile(ValidFile() with { FileCode = "000.00.00.G09.2011.01.TH" });
        var e = Assert.Single(errors);
        Assert.Equal(("fileCode", "file-code.composition"), (e.Field, e.Rule));
    }

    [Fact]
    public void Unfinished_files_need_a_note()
    {
        var e = Assert.Single(RecordRules.ValidateRecordFile(ValidFile() with { Status = RecordFileStatus.Unfinished }));
        Assert.Equal(("unfinishedNote", "unfinished.note-required"), (e.Field, e.Rule));
        Assert.Empty(RecordRules.ValidateRecordFile(ValidFile() with { Status = RecordFileStatus.Unfinished, UnfinishedNote = "Chờ ý kiến Bộ" }));
    }

    [Fact]
    public void Several_errors_are_reported_together()
    {
        var errors = RecordRules.ValidateRecordFile(ValidFile() with { Title = new string('a', 501), FileNotation = "01 TH", FileCatalog = 20 });
        Assert.Contains(errors, e => e.Field == "title" && e.Rule == "max-length");
        Assert.Contains(errors, e => e.Field == "fileNotation" && e.Rule == "file-notation.format");
        Assert.Contains(errors, e => e.Field == "fileCatalog" && e.Rule == "file-catalog.range");
    }

    [Theory]
    [InlineData("05/BNV-VP", "05", "BNV-VP")]
    [InlineData("30/2020/NĐ-CP", "30", "2020/NĐ-CP")]
    [InlineData("414/BNV-VTLTNN", "414", "BNV-VTLTNN")]
    public void Number_and_symbol_parse(string text, string number, string symbol)
    {
        Assert.True(RecordRules.TryParseNumberAndSymbol(text, out var n, out var s));
        Assert.Equal((number, symbol), (n, s));
    }

    [Theory]
    [InlineData("5", "BNV-VP", "documents[0].codeNumber", "code-number.zero-pad")]
    [InlineData("05a", "BNV-VP", "documents[0].codeNumber", "code-number.format")]
    [InlineData("05", "BNV - VP", "documents[0].codeNotation", "code-notation.format")]
    [InlineData("05", "bnv-vp", "documents[0].codeNotation", "code-notation.format")]
    [InlineData("05", "BNV--VP", "documents[0].codeNotation", "code-notation.format")]
    public void Number_and_symbol_rules(string number, string symbol, string field, string rule)
    {
        var e = Assert.Single(RecordRules.ValidateNumberAndSymbol(number, symbol, "documents[0]."));
        Assert.Equal((field, rule), (e.Field, e.Rule));
    }

    [Fact]
    public void Duplicate_key_ignores_case_and_padding()
    {
        var a = new Document { DocOrdinal = 1, CodeNumber = "05", CodeNotation = "BNV-VP", OrganName = "Bộ Nội vụ", IssuedDate = new DateOnly(2025, 3, 19) };
        var b = a with { DocOrdinal = 2, OrganName = "BỘ NỘI VỤ " };
        Assert.Equal(RecordRules.DuplicateKey(a), RecordRules.DuplicateKey(b));
        Assert.NotEqual(RecordRules.DuplicateKey(a), RecordRules.DuplicateKey(a with { IssuedDate = new DateOnly(2026, 1, 2) }));
        Assert.Null(RecordRules.DuplicateKey(a with { OrganName = null }));
    }
}
