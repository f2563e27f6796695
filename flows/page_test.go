package flows

import "testing"

func TestPages(t *testing.T) {
	tests := []struct {
		n, size, page      int64
		from, to, p, count int64
	}{
		{0, 8, 1, 0, 0, 1, 1},
		{8, 8, 1, 0, 8, 1, 1},
		{9, 8, 2, 8, 9, 2, 2},
		{9, 8, 5, 8, 9, 2, 2},  // shrank since drawn: the last page
		{20, 8, 0, 0, 8, 1, 3}, // forged 0: the first page
	}
	for _, tt := range tests {
		from, to, p, count := Pages(tt.n, tt.size, tt.page)
		if from != tt.from || to != tt.to || p != tt.p || count != tt.count {
			t.Errorf("Pages(%d, %d, %d) = %d, %d, %d, %d; want %d, %d, %d, %d",
				tt.n, tt.size, tt.page, from, to, p, count, tt.from, tt.to, tt.p, tt.count)
		}
	}
}
