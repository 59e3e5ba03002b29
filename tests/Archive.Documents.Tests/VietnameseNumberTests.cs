using Archive.Documents;
using Xunit;

namespace Archive.Documents.Tests;

public sealed class VietnameseNumberTests
{
    [Theory]
    [InlineData(0L, "không")]
    [InlineData(1L, "một")]
    [InlineData(4L, "bốn")]
    [InlineData(5L, "năm")]
    [InlineData(10L, "mười")]
    [InlineData(11L, "mười một")]
    [InlineData(14L, "mười bốn")]
    [InlineData(15L, "mười lăm")]
    [InlineData(20L, "hai mươi")]
    [InlineData(21L, "hai mươi mốt")]
    [InlineData(24L, "hai mươi bốn")]
    [InlineData(25L, "hai mươi lăm")]
    [InlineData(55L, "năm mươi lăm")]
    [InlineData(99L, "chín mươi chín")]
    [InlineData(100L, "một trăm")]
    [InlineData(101L, "một trăm linh một")]
    [InlineData(105L, "một trăm linh năm")]
    [InlineData(110L, "một trăm mười")]
    [InlineData(111L, "một trăm mười một")]
    [InlineData(115L, "một trăm mười lăm")]
    [InlineData(121L, "một trăm hai mươi mốt")]
    [InlineData(125L, "một trăm hai mươi lăm")]
    [InlineData(1000L, "một nghìn")]
    [InlineData(1001L, "một nghìn không trăm linh một")]
    [InlineData(1005L, "một nghìn không trăm linh năm")]
    [InlineData(1010L, "một nghìn không trăm mười")]
    [InlineData(1015L, "một nghìn không trăm mười lăm")]
    [InlineData(1021L, "một nghìn không trăm hai mươi mốt")]
    [InlineData(1100L, "một nghìn một trăm")]
    [InlineData(2024L, "hai nghìn không trăm hai mươi bốn")]
    [InlineData(10_000L, "mười nghìn")]
    [InlineData(15_000L, "mười lăm nghìn")]
    [InlineData(21_000L, "hai mươi mốt nghìn")]
    [InlineData(100_000L, "một trăm nghìn")]
    [InlineData(105_000L, "một trăm linh năm nghìn")]
    [InlineData(1_000_000L, "một triệu")]
    [InlineData(1_000_001L, "một triệu không trăm linh một")]
    [InlineData(1_001_000L, "một triệu không trăm linh một nghìn")]
    [InlineData(1_000_100L, "một triệu một trăm")]
    [InlineData(2_500_015L, "hai triệu năm trăm nghìn không trăm mười lăm")]
    [InlineData(1_000_000_000L, "một tỷ")]
    [InlineData(1_000_000_005L, "một tỷ không trăm linh năm")]
    [InlineData(2_000_001_000L, "hai tỷ không trăm linh một nghìn")]
    [InlineData(3_050_000_021L, "ba tỷ không trăm năm mươi triệu không trăm hai mươi mốt")]
    [InlineData(1_000_000_000_000L, "một nghìn tỷ")]
    [InlineData(1_234_567_891_011L, "một nghìn hai trăm ba mươi tư tỷ năm trăm sáu mươi bảy triệu tám trăm chín mươi mốt nghìn không trăm mười một")]
    [InlineData(1_000_000_005_000L, "một nghìn tỷ không trăm linh năm nghìn")]
    [InlineData(1_000_000_000_000_000L, "một triệu tỷ")]
    [InlineData(1_000_000_000_000_000_000L, "một tỷ tỷ")]
    [InlineData(-15L, "âm mười lăm")]
    public void Reads_numbers_the_administrative_way(long value, string expected)
    {
        Assert.Equal(expected.Replace("ba mươi tư", "ba mươi bốn", StringComparison.Ordinal), VietnameseNumber.ToWords(value));
    }

    [Fact]
    public void Extremes_do_not_overflow()
    {
        Assert.Equal(
            "chín tỷ hai trăm hai mươi ba triệu ba trăm bảy mươi hai nghìn không trăm ba mươi sáu tỷ tám trăm năm mươi bốn triệu bảy trăm bảy mươi lăm nghìn tám trăm linh bảy",
            VietnameseNumber.ToWords(long.MaxValue));
        Assert.StartsWith("âm chín tỷ hai trăm", VietnameseNumber.ToWords(long.MinValue), StringComparison.Ordinal);
        Assert.EndsWith("tám trăm linh tám", VietnameseNumber.ToWords(long.MinValue), StringComparison.Ordinal);
    }

    [Fact]
    public void Capitalised_and_with_figure()
    {
        Assert.Equal("Một trăm hai mươi lăm", VietnameseNumber.ToWordsCapitalized(125));
        Assert.Equal("Không", VietnameseNumber.ToWordsCapitalized(0));
        Assert.Equal("125 (Một trăm hai mươi lăm)", VietnameseNumber.FigureAndWords(125));
        Assert.Equal("2.500.015 (Hai triệu năm trăm nghìn không trăm mười lăm)", VietnameseNumber.FigureAndWords(2_500_015));
    }

    [Fact]
    public void Never_uses_the_avoided_forms()
    {
        for (long n = 0; n <= 100_000; n++)
        {
            var w = " " + VietnameseNumber.ToWords(n) + " ";
            Assert.DoesNotContain(" lẻ ", w, StringComparison.Ordinal);
            Assert.DoesNotContain(" tư ", w, StringComparison.Ordinal);
            Assert.DoesNotContain("  ", w.Trim(), StringComparison.Ordinal);
            Assert.DoesNotContain("mười mốt", w, StringComparison.Ordinal);
            Assert.DoesNotContain("linh lăm", w, StringComparison.Ordinal);
            Assert.DoesNotContain("mươi năm ", w, StringComparison.Ordinal);
            Assert.DoesNotContain("mười năm ", w, StringComparison.Ordinal);
            Assert.DoesNotContain("mươi một", w, StringComparison.Ordinal);
        }
    }
}
