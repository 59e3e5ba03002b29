using Archive.Retention;
using Xunit;

namespace Archive.Abstractions.Tests;

public class RetentionPeriodTests
{
    [Theory]
    [InlineData("permanent", "permanent")]
    [InlineData("Vĩnh viễn", "permanent")]
    [InlineData("vinh vien", "permanent")]
    [InlineData("10y", "10y")]
    [InlineData("10", "10y")]
    [InlineData("70 năm", "70y")]
    [InlineData("5 years", "5y")]
    [InlineData("until-superseded", "until-superseded")]
    [InlineData("Đến khi văn bản hết hiệu lực", "until-superseded")]
    public void Parses_usual_forms(string text, string canonical)
    {
        Assert.True(RetentionPeriod.TryParse(text, out var p));
        Assert.Equal(canonical, p.ToString());
        Assert.Equal(p, RetentionPeriod.Parse(p.ToString()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1000")]
    [InlineData("ten years")]
    [InlineData("10 months")]
    public void Rejects_nonsense(string? text)
    {
        Assert.False(RetentionPeriod.TryParse(text, out _));
        var ex = Assert.Throws<ArchiveValidationException>(() => RetentionPeriod.Parse(text, "maintenance"));
        Assert.Equal("maintenance", ex.Errors[0].Field);
        Assert.Equal("retention.format", ex.Errors[0].Rule);
    }

    [Fact]
    public void Due_year_counts_from_the_closing_year()
    {
        Assert.Equal(2030, RetentionPeriod.OfYears(10).DueYear(2020));
        Assert.Null(RetentionPeriod.Permanent.DueYear(2020));
        Assert.Null(RetentionPeriod.UntilSuperseded.DueYear(2020));
        Assert.True(RetentionPeriod.Permanent.IsPermanent);
        Assert.Equal("Vĩnh viễn", RetentionPeriod.Permanent.ToVietnamese());
        Assert.Equal("10 năm", RetentionPeriod.OfYears(10).ToVietnamese());
    }
}
