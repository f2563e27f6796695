package storage_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"smkbot/storage"
	"smkbot/storage/storagetest"
)

// testQuestions has one question of each kind; only the scale is required.
func testQuestions() []storage.Question {
	return []storage.Question{
		{Kind: storage.QuestionScale, Text: "Довольны ли вы качеством преподавания?", Group: "Обучение",
			Low: "Совсем не доволен", High: "Полностью доволен", Required: true},
		{Kind: storage.QuestionYesNo, Text: "Чувствует ли ребёнок себя в безопасности?", Group: "Безопасность"},
		{Kind: storage.QuestionSingle, Text: "Как часто ребёнок питается в столовой?", Group: "Питание",
			Options: []string{"Каждый день", "Иногда", "Никогда"}},
		{Kind: storage.QuestionMulti, Text: "Какие кружки посещает ребёнок?", Group: "Досуг",
			Options: []string{"Спорт", "Музыка", "Робототехника"}},
		{Kind: storage.QuestionText, Text: "Что бы вы предложили изменить?"},
	}
}

// respondent is a stand-in for the caller's HMAC of survey and Telegram id.
func respondent(name string) []byte {
	sum := sha256.Sum256([]byte(name))
	return sum[:]
}

func intp(n int) *int { return &n }

// mustSurvey creates a survey of testQuestions for classes 5А (25) and 5Б
// (20) of the organisation.
func mustSurvey(t *testing.T, s *storage.Store, actorID, orgID int64, template string) (storage.Survey, []storage.SurveyClass) {
	t.Helper()
	sv, classes, err := s.CreateSurvey(context.Background(), actorID, storage.Survey{
		OrgID: orgID, Title: "Удовлетворённость родителей", Audience: storage.AudienceParents,
		TemplateKey: template, Intro: "Опрос анонимный.", Questions: testQuestions(),
		ClosesAt: s.Now().Add(7 * 24 * time.Hour),
	}, []storage.SurveyClass{{Name: "5А", Headcount: 25}, {Name: "5Б", Headcount: 20}})
	if err != nil {
		t.Fatalf("CreateSurvey: %v", err)
	}
	return sv, classes
}

// mustOpenSurvey creates and publishes a survey.
func mustOpenSurvey(t *testing.T, s *storage.Store, orgID int64) (storage.Survey, []storage.SurveyClass) {
	t.Helper()
	sv, classes := mustSurvey(t, s, 0, orgID, "parents")
	if err := s.PublishSurvey(context.Background(), 0, sv.ID); err != nil {
		t.Fatalf("PublishSurvey: %v", err)
	}
	sv, _, err := s.FindSurveyByID(context.Background(), sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sv, classes
}

// answer starts a draft for who in the class, saves the answers and submits.
func answer(t *testing.T, s *storage.Store, surveyID, classID int64, who string, answers map[int]storage.Answer) {
	t.Helper()
	ctx := context.Background()
	d, err := s.StartDraft(ctx, surveyID, classID, respondent(who))
	if err != nil {
		t.Fatalf("StartDraft(%s): %v", who, err)
	}
	for q, a := range answers {
		if err := s.SaveAnswer(ctx, d.ID, q, a); err != nil {
			t.Fatalf("SaveAnswer(%s, %d): %v", who, q, err)
		}
	}
	if err := s.SubmitDraft(ctx, d.ID, respondent(who)); err != nil {
		t.Fatalf("SubmitDraft(%s): %v", who, err)
	}
}

// sqlConn opens a plain connection to the store's database, for looking at
// the tables themselves.
func sqlConn(t *testing.T, dbURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// storeWithURL is newStore with the database URL, for tests that also look
// at the tables.
func storeWithURL(t *testing.T) (*storage.Store, *clock, string) {
	t.Helper()
	dbURL := storagetest.DatabaseURL(t)
	s, err := storage.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c := &clock{now: start}
	s.Now = c.Now
	return s, c, dbURL
}

var classCode = regexp.MustCompile(`^[A-Za-z0-9_-]{10}$`)

func TestCreateSurvey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	school := mustOrg(t, s, "Школа № 1")
	qm := mustPerson(t, s, 1, "Петрова Анна", storage.RoleQualityManager, school.ID)

	closes := start.Add(14 * 24 * time.Hour)
	sv, classes, err := s.CreateSurvey(ctx, qm.ID, storage.Survey{
		OrgID: school.ID, Title: " Удовлетворённость родителей ", Audience: storage.AudienceParents,
		TemplateKey: "parents", Intro: "Опрос анонимный.", Questions: testQuestions(), ClosesAt: closes,
		Status: storage.SurveyOpen, // ignored
	}, []storage.SurveyClass{{Name: "5А", Headcount: 27}, {Name: " 5Б", Headcount: 25}})
	if err != nil {
		t.Fatalf("CreateSurvey: %v", err)
	}
	want := storage.Survey{ID: sv.ID, OrgID: school.ID, Title: "Удовлетворённость родителей",
		Audience: storage.AudienceParents, TemplateKey: "parents", Intro: "Опрос анонимный.",
		Questions: testQuestions(), Status: storage.SurveyDraft, ClosesAt: closes, CreatedBy: qm.ID, CreatedAt: start}
	if diff := cmp.Diff(want, sv); diff != "" {
		t.Errorf("survey (-want +got):\n%s", diff)
	}
	if len(classes) != 2 {
		t.Fatalf("got %d classes, want 2", len(classes))
	}
	for _, c := range classes {
		if !classCode.MatchString(c.Code) {
			t.Errorf("class %s code %q is not 10 characters of A-Za-z0-9_-", c.Name, c.Code)
		}
	}
	if classes[0].Code == classes[1].Code {
		t.Errorf("two classes share the code %q", classes[0].Code)
	}
	wantClasses := []storage.SurveyClass{
		{ID: classes[0].ID, SurveyID: sv.ID, Name: "5А", Headcount: 27, Code: classes[0].Code},
		{ID: classes[1].ID, SurveyID: sv.ID, Name: "5Б", Headcount: 25, Code: classes[1].Code},
	}
	if diff := cmp.Diff(wantClasses, classes); diff != "" {
		t.Errorf("classes (-want +got):\n%s", diff)
	}

	gotSurvey, gotClasses, err := s.FindSurveyByID(ctx, sv.ID)
	if err != nil {
		t.Fatalf("FindSurveyByID: %v", err)
	}
	if diff := cmp.Diff(want, gotSurvey); diff != "" {
		t.Errorf("found survey (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantClasses, gotClasses); diff != "" {
		t.Errorf("found classes (-want +got):\n%s", diff)
	}
	bySurvey, byClass, err := s.FindSurveyClassByCode(ctx, classes[1].Code)
	if err != nil {
		t.Fatalf("FindSurveyClassByCode: %v", err)
	}
	if diff := cmp.Diff(want, bySurvey); diff != "" {
		t.Errorf("survey by code (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantClasses[1], byClass); diff != "" {
		t.Errorf("class by code (-want +got):\n%s", diff)
	}
	if _, _, err := s.FindSurveyClassByCode(ctx, "AAAAAAAAAA"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindSurveyClassByCode(unknown): err = %v, want ErrNotFound", err)
	}
	if _, _, err := s.FindSurveyByID(ctx, 9999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindSurveyByID(unknown): err = %v, want ErrNotFound", err)
	}

	// Association-wide, from the command line.
	assoc, _, err := s.CreateSurvey(ctx, 0, storage.Survey{Title: "Ассоциация", Audience: storage.AudienceStudents,
		Questions: testQuestions()[:1]}, []storage.SurveyClass{{Name: "9А", Headcount: 1}})
	if err != nil {
		t.Fatalf("CreateSurvey(association-wide): %v", err)
	}
	if assoc.OrgID != 0 || assoc.CreatedBy != 0 || !assoc.ClosesAt.IsZero() || !assoc.OpensAt.IsZero() {
		t.Errorf("association-wide survey = %+v, want no org, creator or dates", assoc)
	}

	good := func() (storage.Survey, []storage.SurveyClass) {
		return storage.Survey{OrgID: school.ID, Title: "Опрос", Audience: storage.AudienceStudents, Questions: testQuestions()},
			[]storage.SurveyClass{{Name: "7В", Headcount: 20}}
	}
	for _, tt := range []struct {
		name   string
		change func(*storage.Survey, *[]storage.SurveyClass)
		actor  int64
		want   error
	}{
		{"empty title", func(s *storage.Survey, _ *[]storage.SurveyClass) { s.Title = " " }, 0, storage.ErrInvalid},
		{"unknown audience", func(s *storage.Survey, _ *[]storage.SurveyClass) { s.Audience = "teachers" }, 0, storage.ErrInvalid},
		{"no questions", func(s *storage.Survey, _ *[]storage.SurveyClass) { s.Questions = nil }, 0, storage.ErrInvalid},
		{"unknown kind", func(s *storage.Survey, _ *[]storage.SurveyClass) { s.Questions[0].Kind = "slider" }, 0, storage.ErrInvalid},
		{"question without text", func(s *storage.Survey, _ *[]storage.SurveyClass) { s.Questions[1].Text = "" }, 0, storage.ErrInvalid},
		{"single choice of one", func(s *storage.Survey, _ *[]storage.SurveyClass) { s.Questions[2].Options = []string{"Да"} }, 0, storage.ErrInvalid},
		{"opens after closing", func(s *storage.Survey, _ *[]storage.SurveyClass) {
			s.OpensAt, s.ClosesAt = start.Add(time.Hour), start
		}, 0, storage.ErrInvalid},
		{"no classes", func(_ *storage.Survey, c *[]storage.SurveyClass) { *c = nil }, 0, storage.ErrInvalid},
		{"class without name", func(_ *storage.Survey, c *[]storage.SurveyClass) { (*c)[0].Name = " " }, 0, storage.ErrInvalid},
		{"class without pupils", func(_ *storage.Survey, c *[]storage.SurveyClass) { (*c)[0].Headcount = 0 }, 0, storage.ErrInvalid},
		{"class twice", func(_ *storage.Survey, c *[]storage.SurveyClass) {
			*c = append(*c, storage.SurveyClass{Name: "7В ", Headcount: 3})
		}, 0, storage.ErrInvalid},
		{"unknown organisation", func(s *storage.Survey, _ *[]storage.SurveyClass) { s.OrgID = 9999 }, 0, storage.ErrNotFound},
		{"unknown actor", func(*storage.Survey, *[]storage.SurveyClass) {}, 9999, storage.ErrNotFound},
	} {
		sv, classes := good()
		tt.change(&sv, &classes)
		if _, _, err := s.CreateSurvey(ctx, tt.actor, sv, classes); !errors.Is(err, tt.want) {
			t.Errorf("CreateSurvey with %s: err = %v, want %v", tt.name, err, tt.want)
		}
	}

	wantLog := []actionLine{
		{qm.ID, "survey.create", "survey", sv.ID},
		{0, "survey.create", "survey", assoc.ID},
	}
	var got []actionLine
	for _, a := range actions(t, s) {
		if a.Object == "survey" {
			got = append(got, a)
		}
	}
	if diff := cmp.Diff(wantLog, got); diff != "" {
		t.Errorf("action log (-want +got):\n%s", diff)
	}
}

func TestSurveyLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newStore(t)
	school := mustOrg(t, s, "Школа № 1")
	other := mustOrg(t, s, "Лицей № 2")
	qm := mustPerson(t, s, 1, "Петрова Анна", storage.RoleQualityManager, school.ID)

	sv, _ := mustSurvey(t, s, qm.ID, school.ID, "parents")
	published := start.Add(time.Hour)
	c.Add(time.Hour)
	if err := s.PublishSurvey(ctx, qm.ID, sv.ID); err != nil {
		t.Fatalf("PublishSurvey: %v", err)
	}
	got, _, err := s.FindSurveyByID(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := sv
	want.Status, want.OpensAt, want.PublishedAt = storage.SurveyOpen, published, published
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	if err := s.PublishSurvey(ctx, qm.ID, sv.ID); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("PublishSurvey twice: err = %v, want ErrConflict", err)
	}
	if err := s.PublishSurvey(ctx, qm.ID, 9999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("PublishSurvey(unknown): err = %v, want ErrNotFound", err)
	}

	// Closed early, then extended: open again.
	c.Add(time.Hour)
	if err := s.CloseSurvey(ctx, qm.ID, sv.ID); err != nil {
		t.Fatalf("CloseSurvey: %v", err)
	}
	got, _, _ = s.FindSurveyByID(ctx, sv.ID)
	if got.Status != storage.SurveyClosed || !got.ClosedAt.Equal(start.Add(2*time.Hour)) {
		t.Errorf("closed survey: status %s, closed at %v; want closed at %v", got.Status, got.ClosedAt, start.Add(2*time.Hour))
	}
	if err := s.CloseSurvey(ctx, qm.ID, sv.ID); !errors.Is(err, storage.ErrSurveyClosed) {
		t.Errorf("CloseSurvey twice: err = %v, want ErrSurveyClosed", err)
	}
	if err := s.CloseSurvey(ctx, qm.ID, 9999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("CloseSurvey(unknown): err = %v, want ErrNotFound", err)
	}
	if err := s.ExtendSurvey(ctx, qm.ID, sv.ID, c.Now().Add(-time.Minute)); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("ExtendSurvey into the past: err = %v, want ErrInvalid", err)
	}
	if err := s.ExtendSurvey(ctx, qm.ID, 9999, c.Now().Add(time.Hour)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("ExtendSurvey(unknown): err = %v, want ErrNotFound", err)
	}
	newClose := start.Add(30 * 24 * time.Hour)
	if err := s.ExtendSurvey(ctx, qm.ID, sv.ID, newClose); err != nil {
		t.Fatalf("ExtendSurvey: %v", err)
	}
	got, _, _ = s.FindSurveyByID(ctx, sv.ID)
	want.ClosesAt = newClose
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("extended (-want +got):\n%s", diff)
	}

	// A closed survey that was never published goes back to draft.
	never, _ := mustSurvey(t, s, qm.ID, school.ID, "students")
	if err := s.CloseSurvey(ctx, qm.ID, never.ID); err != nil {
		t.Fatalf("CloseSurvey(draft): %v", err)
	}
	if err := s.ExtendSurvey(ctx, qm.ID, never.ID, newClose); err != nil {
		t.Fatalf("ExtendSurvey(closed draft): %v", err)
	}
	if got, _, _ := s.FindSurveyByID(ctx, never.ID); got.Status != storage.SurveyDraft || !got.ClosedAt.IsZero() {
		t.Errorf("reopened draft: status %s, closed at %v; want draft, not closed", got.Status, got.ClosedAt)
	}

	// Closing time passed: the scheduler closes it, once.
	soon, _ := mustSurvey(t, s, qm.ID, other.ID, "parents")
	if err := s.PublishSurvey(ctx, qm.ID, soon.ID); err != nil {
		t.Fatal(err)
	}
	if due, err := s.CloseDueSurveys(ctx); err != nil || len(due) != 0 {
		t.Errorf("CloseDueSurveys before time = %v, %v; want none", due, err)
	}
	c.Add(7 * 24 * time.Hour)
	due, err := s.CloseDueSurveys(ctx)
	if err != nil {
		t.Fatalf("CloseDueSurveys: %v", err)
	}
	if len(due) != 1 || due[0].ID != soon.ID || due[0].Status != storage.SurveyClosed || !due[0].ClosedAt.Equal(c.Now()) {
		t.Errorf("CloseDueSurveys = %+v, want survey %d closed now", due, soon.ID)
	}
	if due, err := s.CloseDueSurveys(ctx); err != nil || len(due) != 0 {
		t.Errorf("CloseDueSurveys again = %v, %v; want none", due, err)
	}
	if err := s.PublishSurvey(ctx, qm.ID, soon.ID); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("PublishSurvey(closed): err = %v, want ErrConflict", err)
	}
	late, _ := mustSurvey(t, s, qm.ID, school.ID, "")
	c.Add(8 * 24 * time.Hour)
	if err := s.PublishSurvey(ctx, qm.ID, late.ID); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("PublishSurvey after its closing time: err = %v, want ErrInvalid", err)
	}

	ids := func(surveys []storage.Survey) []int64 {
		var out []int64
		for _, sv := range surveys {
			out = append(out, sv.ID)
		}
		return out
	}
	all, err := s.ListSurveys(ctx, 0)
	if err != nil {
		t.Fatalf("ListSurveys: %v", err)
	}
	if diff := cmp.Diff([]int64{late.ID, soon.ID, never.ID, sv.ID}, ids(all)); diff != "" {
		t.Errorf("ListSurveys(all) ids (-want +got):\n%s", diff)
	}
	mine, err := s.ListSurveys(ctx, school.ID)
	if err != nil {
		t.Fatalf("ListSurveys(school): %v", err)
	}
	if diff := cmp.Diff([]int64{late.ID, never.ID, sv.ID}, ids(mine)); diff != "" {
		t.Errorf("ListSurveys(school) ids (-want +got):\n%s", diff)
	}

	wantLog := []actionLine{
		{qm.ID, "survey.create", "survey", sv.ID},
		{qm.ID, "survey.publish", "survey", sv.ID},
		{qm.ID, "survey.close", "survey", sv.ID},
		{qm.ID, "survey.extend", "survey", sv.ID},
		{qm.ID, "survey.create", "survey", never.ID},
		{qm.ID, "survey.close", "survey", never.ID},
		{qm.ID, "survey.extend", "survey", never.ID},
		{qm.ID, "survey.create", "survey", soon.ID},
		{qm.ID, "survey.publish", "survey", soon.ID},
		{0, "survey.close", "survey", soon.ID},
		{qm.ID, "survey.create", "survey", late.ID},
	}
	var gotLog []actionLine
	for _, a := range actions(t, s) {
		if a.Object == "survey" {
			gotLog = append(gotLog, a)
		}
	}
	if diff := cmp.Diff(wantLog, gotLog); diff != "" {
		t.Errorf("action log (-want +got):\n%s", diff)
	}
}

func TestSurveyAnswering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c, dbURL := storeWithURL(t)
	conn := sqlConn(t, dbURL)
	school := mustOrg(t, s, "Школа № 1")
	sv, classes := mustOpenSurvey(t, s, school.ID)
	a5, b5 := classes[0], classes[1]
	anna, boris := respondent("anna"), respondent("boris")

	// Anna starts, answers two questions and leaves.
	d, err := s.StartDraft(ctx, sv.ID, a5.ID, anna)
	if err != nil {
		t.Fatalf("StartDraft: %v", err)
	}
	if d.SurveyID != sv.ID || d.ClassID != a5.ID || len(d.Answers) != 0 || !d.UpdatedAt.Equal(start) {
		t.Errorf("new draft = %+v", d)
	}
	c.Add(time.Minute)
	if err := s.SaveAnswer(ctx, d.ID, 0, storage.Answer{Value: intp(3)}); err != nil {
		t.Fatalf("SaveAnswer: %v", err)
	}
	if err := s.SaveAnswer(ctx, d.ID, 0, storage.Answer{Value: intp(4)}); err != nil { // changed her mind
		t.Fatalf("SaveAnswer again: %v", err)
	}
	if err := s.SaveAnswer(ctx, d.ID, 3, storage.Answer{Choices: []int{2, 0}}); err != nil {
		t.Fatalf("SaveAnswer(multi): %v", err)
	}

	// Boris, in parallel, in the other class.
	db, err := s.StartDraft(ctx, sv.ID, b5.ID, boris)
	if err != nil {
		t.Fatalf("StartDraft(boris): %v", err)
	}
	if db.ID == d.ID {
		t.Fatalf("two respondents share draft %d", d.ID)
	}

	// Anna comes back hours later (the session is gone): the same draft, with
	// her answers, even when she comes through the other class's link.
	c.Add(3 * time.Hour)
	again, err := s.StartDraft(ctx, sv.ID, b5.ID, anna)
	if err != nil {
		t.Fatalf("StartDraft again: %v", err)
	}
	wantDraft := storage.Draft{ID: d.ID, SurveyID: sv.ID, ClassID: a5.ID, UpdatedAt: start.Add(time.Minute),
		Answers: map[int]storage.Answer{0: {Value: intp(4)}, 3: {Choices: []int{2, 0}}}}
	if diff := cmp.Diff(wantDraft, again); diff != "" {
		t.Errorf("resumed draft (-want +got):\n%s", diff)
	}
	found, err := s.FindDraft(ctx, sv.ID, anna)
	if err != nil {
		t.Fatalf("FindDraft: %v", err)
	}
	if diff := cmp.Diff(wantDraft, found); diff != "" {
		t.Errorf("found draft (-want +got):\n%s", diff)
	}
	if _, err := s.FindDraft(ctx, sv.ID, respondent("nobody")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindDraft(nobody): err = %v, want ErrNotFound", err)
	}

	for _, tt := range []struct {
		name string
		q    int
		a    storage.Answer
	}{
		{"question out of range", 5, storage.Answer{Value: intp(1)}},
		{"negative question", -1, storage.Answer{Value: intp(1)}},
		{"scale 0", 0, storage.Answer{Value: intp(0)}},
		{"scale 6", 0, storage.Answer{Value: intp(6)}},
		{"scale without value", 0, storage.Answer{}},
		{"required skipped", 0, storage.Answer{Skipped: true}},
		{"skipped with a value", 1, storage.Answer{Skipped: true, Value: intp(1)}},
		{"yes/no 2", 1, storage.Answer{Value: intp(2)}},
		{"single option 3 of 3", 2, storage.Answer{Value: intp(3)}},
		{"multi twice the same", 3, storage.Answer{Choices: []int{1, 1}}},
		{"multi out of range", 3, storage.Answer{Choices: []int{3}}},
		{"multi with value", 3, storage.Answer{Value: intp(1)}},
		{"empty text", 4, storage.Answer{Text: "  "}},
		{"long text", 4, storage.Answer{Text: strings.Repeat("я", storage.MaxTextAnswer+1)}},
		{"text with NUL", 4, storage.Answer{Text: "a\x00b"}},
		{"text to a scale", 0, storage.Answer{Value: intp(1), Text: "x"}},
	} {
		if err := s.SaveAnswer(ctx, d.ID, tt.q, tt.a); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("SaveAnswer %s: err = %v, want ErrInvalid", tt.name, err)
		}
	}
	if err := s.SaveAnswer(ctx, 9999, 0, storage.Answer{Value: intp(1)}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SaveAnswer(unknown draft): err = %v, want ErrNotFound", err)
	}
	if _, err := s.StartDraft(ctx, sv.ID, 9999, respondent("carl")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("StartDraft(unknown class): err = %v, want ErrNotFound", err)
	}
	if _, err := s.StartDraft(ctx, 9999, a5.ID, respondent("carl")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("StartDraft(unknown survey): err = %v, want ErrNotFound", err)
	}
	if _, err := s.StartDraft(ctx, sv.ID, a5.ID, []byte("short")); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("StartDraft(short respondent key): err = %v, want ErrInvalid", err)
	}

	// Boris skips the scale, which is required: he cannot submit yet.
	if err := s.SaveAnswer(ctx, db.ID, 1, storage.Answer{Value: intp(0)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SubmitDraft(ctx, db.ID, boris); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("SubmitDraft without the required answer: err = %v, want ErrInvalid", err)
	}
	// Nor can Anna submit Boris's draft.
	if err := s.SubmitDraft(ctx, db.ID, anna); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SubmitDraft of another's draft: err = %v, want ErrNotFound", err)
	}

	// Anna finishes and submits.
	for q, a := range map[int]storage.Answer{
		1: {Value: intp(1)},
		2: {Skipped: true},
		4: {Text: "Больше кружков"},
	} {
		if err := s.SaveAnswer(ctx, d.ID, q, a); err != nil {
			t.Fatalf("SaveAnswer(%d): %v", q, err)
		}
	}
	c.Add(20 * time.Hour) // the next day, 2026-12-26
	if err := s.SubmitDraft(ctx, d.ID, anna); err != nil {
		t.Fatalf("SubmitDraft: %v", err)
	}
	if err := s.SubmitDraft(ctx, d.ID, anna); !errors.Is(err, storage.ErrAlreadyAnswered) {
		t.Errorf("SubmitDraft twice: err = %v, want ErrAlreadyAnswered", err)
	}
	if _, err := s.StartDraft(ctx, sv.ID, a5.ID, anna); !errors.Is(err, storage.ErrAlreadyAnswered) {
		t.Errorf("StartDraft after submitting: err = %v, want ErrAlreadyAnswered", err)
	}
	if _, err := s.FindDraft(ctx, sv.ID, anna); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindDraft after submitting: err = %v, want ErrNotFound", err)
	}
	if err := s.SubmitDraft(ctx, 9999, respondent("nobody")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SubmitDraft(unknown): err = %v, want ErrNotFound", err)
	}

	// Boris answers the scale and submits.
	if err := s.SaveAnswer(ctx, db.ID, 0, storage.Answer{Value: intp(2)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SubmitDraft(ctx, db.ID, boris); err != nil {
		t.Fatalf("SubmitDraft(boris): %v", err)
	}

	// The tables: no drafts left; two completions by the day; two responses
	// with their answers, skipped ones left out.
	var drafts int
	if err := conn.QueryRow(ctx, `select count(*) from survey_drafts`).Scan(&drafts); err != nil {
		t.Fatal(err)
	}
	if drafts != 0 {
		t.Errorf("%d drafts left after submitting", drafts)
	}
	type completion struct {
		Respondent  []byte    `db:"respondent"`
		CompletedOn time.Time `db:"completed_on"`
	}
	rows, _ := conn.Query(ctx, `select respondent, completed_on from survey_completions where survey_id = $1 order by respondent`, sv.ID)
	completions, err := pgx.CollectRows(rows, pgx.RowToStructByName[completion])
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 12, 26, 0, 0, 0, 0, time.UTC)
	wantCompletions := []completion{{anna, day}, {boris, day}}
	sort.Slice(wantCompletions, func(i, j int) bool {
		return string(wantCompletions[i].Respondent) < string(wantCompletions[j].Respondent)
	})
	if diff := cmp.Diff(wantCompletions, completions); diff != "" {
		t.Errorf("completions (-want +got):\n%s", diff)
	}
	type answerRow struct {
		ClassID     int64     `db:"class_id"`
		SubmittedOn time.Time `db:"submitted_on"`
		Question    int       `db:"question"`
		Value       *int      `db:"value"`
		Choices     []int     `db:"choices"`
		Text        *string   `db:"text"`
	}
	rows, _ = conn.Query(ctx, `
		select r.class_id, r.submitted_on, a.question, a.value, a.choices, a.text
		from survey_responses r join survey_answers a on a.response_key = r.key
		where r.survey_id = $1
		order by r.class_id, a.question`, sv.ID)
	answers, err := pgx.CollectRows(rows, pgx.RowToStructByName[answerRow])
	if err != nil {
		t.Fatal(err)
	}
	text := "Больше кружков"
	wantAnswers := []answerRow{
		{a5.ID, day, 0, intp(4), nil, nil},
		{a5.ID, day, 1, intp(1), nil, nil},
		{a5.ID, day, 3, nil, []int{2, 0}, nil},
		{a5.ID, day, 4, nil, nil, &text},
		{b5.ID, day, 0, intp(2), nil, nil},
		{b5.ID, day, 1, intp(0), nil, nil},
	}
	if diff := cmp.Diff(wantAnswers, answers); diff != "" {
		t.Errorf("stored answers (-want +got):\n%s", diff)
	}
	var responses int
	if err := conn.QueryRow(ctx, `select count(distinct key) from survey_responses`).Scan(&responses); err != nil {
		t.Fatal(err)
	}
	if responses != 2 {
		t.Errorf("%d responses, want 2", responses)
	}

	// Answering logs nothing: a respondent is nobody.
	for _, a := range actions(t, s) {
		if a.Object != "survey" && a.Object != "organisation" {
			t.Errorf("answering logged %+v", a)
		}
	}
}

func TestSurveyNotAnswerable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newStore(t)
	school := mustOrg(t, s, "Школа № 1")
	who := respondent("anna")

	// A draft survey is not open yet.
	draft, classes := mustSurvey(t, s, 0, school.ID, "parents")
	if _, err := s.StartDraft(ctx, draft.ID, classes[0].ID, who); !errors.Is(err, storage.ErrSurveyNotOpen) {
		t.Errorf("StartDraft(draft survey): err = %v, want ErrSurveyNotOpen", err)
	}

	// Published, but opening tomorrow.
	later, laterClasses, err := s.CreateSurvey(ctx, 0, storage.Survey{OrgID: school.ID, Title: "Завтра",
		Audience: storage.AudienceStudents, Questions: testQuestions(),
		OpensAt: start.Add(24 * time.Hour), ClosesAt: start.Add(48 * time.Hour)},
		[]storage.SurveyClass{{Name: "9А", Headcount: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PublishSurvey(ctx, 0, later.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartDraft(ctx, later.ID, laterClasses[0].ID, who); !errors.Is(err, storage.ErrSurveyNotOpen) {
		t.Errorf("StartDraft before opening: err = %v, want ErrSurveyNotOpen", err)
	}

	// Open now: Anna starts; Boris starts too.
	open, openClasses := mustOpenSurvey(t, s, school.ID)
	d, err := s.StartDraft(ctx, open.ID, openClasses[0].ID, who)
	if err != nil {
		t.Fatalf("StartDraft(open): %v", err)
	}
	if err := s.SaveAnswer(ctx, d.ID, 0, storage.Answer{Value: intp(5)}); err != nil {
		t.Fatal(err)
	}
	boris, err := s.StartDraft(ctx, open.ID, openClasses[0].ID, respondent("boris"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAnswer(ctx, boris.ID, 0, storage.Answer{Value: intp(5)}); err != nil {
		t.Fatal(err)
	}

	// The closing time passes before the scheduler has run: closed already.
	c.Add(7*24*time.Hour + time.Second)
	if _, err := s.StartDraft(ctx, open.ID, openClasses[0].ID, respondent("carl")); !errors.Is(err, storage.ErrSurveyClosed) {
		t.Errorf("StartDraft after the closing time: err = %v, want ErrSurveyClosed", err)
	}
	if err := s.SaveAnswer(ctx, d.ID, 1, storage.Answer{Value: intp(1)}); !errors.Is(err, storage.ErrSurveyClosed) {
		t.Errorf("SaveAnswer after the closing time: err = %v, want ErrSurveyClosed", err)
	}
	if err := s.SubmitDraft(ctx, d.ID, who); !errors.Is(err, storage.ErrSurveyClosed) {
		t.Errorf("SubmitDraft after the closing time: err = %v, want ErrSurveyClosed", err)
	}

	// Extended, Anna submits; closed by hand, Boris cannot.
	if err := s.ExtendSurvey(ctx, 0, open.ID, c.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.SubmitDraft(ctx, d.ID, who); err != nil {
		t.Fatalf("SubmitDraft after extending: %v", err)
	}
	if err := s.CloseSurvey(ctx, 0, open.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartDraft(ctx, open.ID, openClasses[0].ID, respondent("boris")); !errors.Is(err, storage.ErrSurveyClosed) {
		t.Errorf("StartDraft(closed survey): err = %v, want ErrSurveyClosed", err)
	}
	if err := s.SubmitDraft(ctx, boris.ID, respondent("boris")); !errors.Is(err, storage.ErrSurveyClosed) {
		t.Errorf("SubmitDraft(closed survey): err = %v, want ErrSurveyClosed", err)
	}
	// Having answered is the more useful thing to tell Anna.
	if _, err := s.StartDraft(ctx, open.ID, openClasses[0].ID, who); !errors.Is(err, storage.ErrAlreadyAnswered) {
		t.Errorf("StartDraft(closed, answered): err = %v, want ErrAlreadyAnswered", err)
	}
}

func TestSurveyResults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	school := mustOrg(t, s, "Школа № 1")
	sv, classes := mustOpenSurvey(t, s, school.ID)
	a5, b5 := classes[0], classes[1]

	// 5А: three parents; 5Б: one.
	answer(t, s, sv.ID, a5.ID, "p1", map[int]storage.Answer{
		0: {Value: intp(5)}, 1: {Value: intp(1)}, 2: {Value: intp(0)}, 3: {Choices: []int{0, 2}}, 4: {Text: "Спасибо учителям"},
	})
	answer(t, s, sv.ID, a5.ID, "p2", map[int]storage.Answer{
		0: {Value: intp(4)}, 1: {Value: intp(0)}, 2: {Value: intp(0)}, 3: {Choices: []int{2}}, 4: {Skipped: true},
	})
	answer(t, s, sv.ID, a5.ID, "p3", map[int]storage.Answer{
		0: {Value: intp(4)}, 1: {Skipped: true}, 2: {Value: intp(2)}, 4: {Text: "Ремонт в столовой"},
	})
	answer(t, s, sv.ID, b5.ID, "p4", map[int]storage.Answer{
		0: {Value: intp(1)}, 1: {Value: intp(1)}, 3: {Choices: []int{}}, 4: {Text: "Больше кружков"},
	})
	// A draft in progress is not counted.
	d, err := s.StartDraft(ctx, sv.ID, b5.ID, respondent("p5"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAnswer(ctx, d.ID, 0, storage.Answer{Value: intp(1)}); err != nil {
		t.Fatal(err)
	}
	// Nor are the answers of another survey.
	other, otherClasses := mustOpenSurvey(t, s, school.ID)
	answer(t, s, other.ID, otherClasses[0].ID, "p1", map[int]storage.Answer{0: {Value: intp(1)}})

	got, err := s.SurveyResults(ctx, sv.ID)
	if err != nil {
		t.Fatalf("SurveyResults: %v", err)
	}
	sortTexts := cmp.Transformer("sortTexts", func(in []string) []string {
		out := slices.Clone(in)
		slices.Sort(out)
		return out
	})
	want := storage.Results{
		Responses: 4,
		Classes: []storage.ClassResult{
			{ClassID: a5.ID, Name: "5А", Headcount: 25, Responses: 3},
			{ClassID: b5.ID, Name: "5Б", Headcount: 20, Responses: 1},
		},
		Questions: []storage.QuestionResult{
			{Index: 0, Answered: 4, Sum: 14, Counts: map[int]int{5: 1, 4: 2, 1: 1}},
			{Index: 1, Answered: 3, Counts: map[int]int{1: 2, 0: 1}},
			{Index: 2, Answered: 3, Counts: map[int]int{0: 2, 2: 1}},
			{Index: 3, Answered: 3, Counts: map[int]int{0: 1, 2: 2}},
			{Index: 4, Answered: 3, Texts: []string{"Спасибо учителям", "Ремонт в столовой", "Больше кружков"}},
		},
	}
	if diff := cmp.Diff(want, got, sortTexts); diff != "" {
		t.Errorf("SurveyResults (-want +got):\n%s", diff)
	}

	gotA, err := s.ClassResults(ctx, sv.ID, a5.ID)
	if err != nil {
		t.Fatalf("ClassResults: %v", err)
	}
	wantA := storage.Results{
		Responses: 3,
		Classes:   []storage.ClassResult{{ClassID: a5.ID, Name: "5А", Headcount: 25, Responses: 3}},
		Questions: []storage.QuestionResult{
			{Index: 0, Answered: 3, Sum: 13, Counts: map[int]int{5: 1, 4: 2}},
			{Index: 1, Answered: 2, Counts: map[int]int{1: 1, 0: 1}},
			{Index: 2, Answered: 3, Counts: map[int]int{0: 2, 2: 1}},
			{Index: 3, Answered: 2, Counts: map[int]int{0: 1, 2: 2}},
			{Index: 4, Answered: 2, Texts: []string{"Спасибо учителям", "Ремонт в столовой"}},
		},
	}
	if diff := cmp.Diff(wantA, gotA, sortTexts); diff != "" {
		t.Errorf("ClassResults(5А) (-want +got):\n%s", diff)
	}

	// A class nobody answered yet.
	third, thirdClasses := mustOpenSurvey(t, s, school.ID)
	empty, err := s.ClassResults(ctx, third.ID, thirdClasses[1].ID)
	if err != nil {
		t.Fatalf("ClassResults(empty): %v", err)
	}
	wantEmpty := storage.Results{
		Classes: []storage.ClassResult{{ClassID: thirdClasses[1].ID, Name: "5Б", Headcount: 20}},
		Questions: []storage.QuestionResult{
			{Index: 0, Counts: map[int]int{}}, {Index: 1, Counts: map[int]int{}}, {Index: 2, Counts: map[int]int{}},
			{Index: 3, Counts: map[int]int{}}, {Index: 4},
		},
	}
	if diff := cmp.Diff(wantEmpty, empty); diff != "" {
		t.Errorf("ClassResults(nobody answered) (-want +got):\n%s", diff)
	}

	if _, err := s.SurveyResults(ctx, 9999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SurveyResults(unknown): err = %v, want ErrNotFound", err)
	}
	if _, err := s.ClassResults(ctx, sv.ID, otherClasses[0].ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("ClassResults(class of another survey): err = %v, want ErrNotFound", err)
	}
	if _, err := s.ClassResults(ctx, sv.ID, 0); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("ClassResults(class 0): err = %v, want ErrNotFound", err)
	}
}

// TestSurveyTextsShuffled checks that free-text answers do not come back in
// the order they were given.
func TestSurveyTextsShuffled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	school := mustOrg(t, s, "Школа № 1")
	sv, classes := mustOpenSurvey(t, s, school.ID)
	var given []string
	for i := range 12 {
		text := string(rune('А' + i))
		given = append(given, text)
		answer(t, s, sv.ID, classes[0].ID, text, map[int]storage.Answer{0: {Value: intp(3)}, 4: {Text: text}})
	}
	// 12! orders: the same order five times over is chance only once in
	// about 10^43.
	for range 5 {
		res, err := s.SurveyResults(ctx, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Questions[4].Texts, given) {
			return
		}
	}
	t.Errorf("texts come back in the order they were given")
}

func TestPreviousSurvey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newStore(t)
	school := mustOrg(t, s, "Школа № 1")
	other := mustOrg(t, s, "Лицей № 2")

	first, _ := mustSurvey(t, s, 0, school.ID, "parents")
	if err := s.PublishSurvey(ctx, 0, first.ID); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Hour)
	second, _ := mustSurvey(t, s, 0, school.ID, "parents")
	if err := s.PublishSurvey(ctx, 0, second.ID); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Hour)
	mustSurvey(t, s, 0, school.ID, "parents") // never published
	mustSurvey(t, s, 0, school.ID, "students")
	theirs, _ := mustSurvey(t, s, 0, other.ID, "parents")
	if err := s.PublishSurvey(ctx, 0, theirs.ID); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Hour)
	third, _ := mustSurvey(t, s, 0, school.ID, "parents")

	got, err := s.PreviousSurvey(ctx, third)
	if err != nil {
		t.Fatalf("PreviousSurvey(third): %v", err)
	}
	if got.ID != second.ID {
		t.Errorf("PreviousSurvey(third) = survey %d, want %d", got.ID, second.ID)
	}
	if got, err := s.PreviousSurvey(ctx, second); err != nil || got.ID != first.ID {
		t.Errorf("PreviousSurvey(second) = %d, %v; want %d", got.ID, err, first.ID)
	}
	if _, err := s.PreviousSurvey(ctx, first); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("PreviousSurvey(first): err = %v, want ErrNotFound", err)
	}
	if _, err := s.PreviousSurvey(ctx, theirs); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("PreviousSurvey(other school): err = %v, want ErrNotFound", err)
	}
	uploaded := third
	uploaded.TemplateKey = ""
	if _, err := s.PreviousSurvey(ctx, uploaded); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("PreviousSurvey(uploaded): err = %v, want ErrNotFound", err)
	}

	// Association-wide surveys compare with association-wide ones.
	a1, _ := mustSurvey(t, s, 0, 0, "parents")
	if err := s.PublishSurvey(ctx, 0, a1.ID); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Hour)
	a2, _ := mustSurvey(t, s, 0, 0, "parents")
	if got, err := s.PreviousSurvey(ctx, a2); err != nil || got.ID != a1.ID {
		t.Errorf("PreviousSurvey(association-wide) = %d, %v; want %d", got.ID, err, a1.ID)
	}
}

// TestSurveyTablesHoldNoIdentity is the anonymity promise in the schema: no
// survey table has a column for a Telegram id, a user or a person, or a
// name, apart from the survey's title and the class's name; and nothing a
// respondent writes refers to the people table.
func TestSurveyTablesHoldNoIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := sqlConn(t, storagetest.DatabaseURL(t))

	type column struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
	}
	rows, err := conn.Query(ctx, `
		select table_name::text, column_name::text
		from information_schema.columns
		where table_schema = 'public' and table_name like 'survey%'
		order by table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	columns, err := pgx.CollectRows(rows, pgx.RowToStructByName[column])
	if err != nil {
		t.Fatal(err)
	}
	tables := make(map[string]bool)
	for _, c := range columns {
		tables[c.Table] = true
	}
	for _, want := range []string{"surveys", "survey_classes", "survey_drafts", "survey_completions", "survey_responses", "survey_answers"} {
		if !tables[want] {
			t.Errorf("table %s not found: is the test looking at the right schema?", want)
		}
	}
	identity := regexp.MustCompile(`(?i)telegram|tg|user|person|people|name|chat|phone|email`)
	allowed := map[column]bool{{"surveys", "title"}: true, {"survey_classes", "name"}: true}
	for _, c := range columns {
		if identity.MatchString(c.Column) && !allowed[c] {
			t.Errorf("%s.%s looks like it holds who someone is", c.Table, c.Column)
		}
	}

	// Foreign keys into people: only the survey's author.
	rows, err = conn.Query(ctx, `
		select conrelid::regclass::text as table_name, a.attname::text as column_name
		from pg_constraint k
		join pg_attribute a on a.attrelid = k.conrelid and a.attnum = any(k.conkey)
		where k.contype = 'f' and k.confrelid = 'people'::regclass
		  and conrelid::regclass::text like 'survey%'
		order by 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := pgx.CollectRows(rows, pgx.RowToStructByName[column])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]column{{"surveys", "created_by"}}, refs); diff != "" {
		t.Errorf("survey columns referring to people (-want +got):\n%s", diff)
	}
}

// TestSurveyResponsesUnordered checks that nothing in a response or its
// answers can order it or time it finer than a day, so it cannot be matched
// with a completion: no sequence or identity, no time of day, only the
// columns known to be safe.
func TestSurveyResponsesUnordered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := sqlConn(t, storagetest.DatabaseURL(t))

	type column struct {
		Table    string `db:"table_name"`
		Column   string `db:"column_name"`
		Type     string `db:"data_type"`
		Default  string `db:"column_default"`
		Identity string `db:"is_identity"`
	}
	rows, err := conn.Query(ctx, `
		select table_name::text, column_name::text, data_type::text,
		       coalesce(column_default::text, '') as column_default, is_identity::text
		from information_schema.columns
		where table_schema = 'public'
		  and table_name in ('survey_responses', 'survey_answers', 'survey_completions')
		order by table_name, column_name`)
	if err != nil {
		t.Fatal(err)
	}
	columns, err := pgx.CollectRows(rows, pgx.RowToStructByName[column])
	if err != nil {
		t.Fatal(err)
	}
	want := []column{
		{"survey_answers", "choices", "ARRAY", "", "NO"},
		{"survey_answers", "question", "integer", "", "NO"},
		{"survey_answers", "response_key", "uuid", "", "NO"},
		{"survey_answers", "survey_id", "bigint", "", "NO"},
		{"survey_answers", "text", "text", "", "NO"},
		{"survey_answers", "value", "integer", "", "NO"},
		{"survey_completions", "completed_on", "date", "", "NO"},
		{"survey_completions", "respondent", "bytea", "", "NO"},
		{"survey_completions", "survey_id", "bigint", "", "NO"},
		{"survey_responses", "class_id", "bigint", "", "NO"},
		{"survey_responses", "key", "uuid", "gen_random_uuid()", "NO"},
		{"survey_responses", "submitted_on", "date", "", "NO"},
		{"survey_responses", "survey_id", "bigint", "", "NO"},
	}
	if diff := cmp.Diff(want, columns); diff != "" {
		t.Errorf("columns of responses, answers and completions (-want +got):\n%s", diff)
	}
}

// TestClosingReshufflesCompletions checks that once a survey is closed, the
// stored rows no longer pair a completion with its response by the
// transaction that wrote them, nor by the order they are stored in.
func TestClosingReshufflesCompletions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, dbURL := storeWithURL(t)
	conn := sqlConn(t, dbURL)
	school := mustOrg(t, s, "Школа № 1")
	sv, classes := mustOpenSurvey(t, s, school.ID)
	for i := range 20 {
		answer(t, s, sv.ID, classes[i%2].ID, string(rune('a'+i)), map[int]storage.Answer{0: {Value: intp(1 + i%5)}})
	}
	paired := func() int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, `
			select count(*) from survey_completions c
			join survey_responses r on r.xmin = c.xmin
			where c.survey_id = $1`, sv.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := paired(); n != 20 {
		t.Fatalf("while open, %d of 20 completions share a transaction with a response; the test does not see what it checks", n)
	}
	if err := s.CloseSurvey(ctx, 0, sv.ID); err != nil {
		t.Fatal(err)
	}
	if n := paired(); n != 0 {
		t.Errorf("after closing, %d completions share a transaction with a response", n)
	}
	// Still one completion per respondent, and the order in the table is not
	// the order of answering (20! orders; the same one is chance).
	rows, err := conn.Query(ctx, `select respondent from survey_completions where survey_id = $1`, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		t.Fatal(err)
	}
	var given [][]byte
	for i := range 20 {
		given = append(given, respondent(string(rune('a'+i))))
	}
	if len(stored) != 20 {
		t.Fatalf("%d completions after closing, want 20", len(stored))
	}
	if slices.EqualFunc(stored, given, func(a, b []byte) bool { return string(a) == string(b) }) {
		t.Errorf("completions are stored in the order of answering after closing")
	}
	if _, err := s.StartDraft(ctx, sv.ID, classes[0].ID, respondent("a")); !errors.Is(err, storage.ErrAlreadyAnswered) {
		t.Errorf("StartDraft after closing: err = %v, want ErrAlreadyAnswered", err)
	}
}

// TestSurveyConcurrentAnswers has respondents answering at once, and one of
// them submitting twice at once (a double tap): every respondent counts once.
func TestSurveyConcurrentAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	school := mustOrg(t, s, "Школа № 1")
	sv, classes := mustOpenSurvey(t, s, school.ID)

	const n = 8
	errs := make(chan error, 2*n)
	for i := range n {
		go func() {
			who := respondent(string(rune('a' + i)))
			d, err := s.StartDraft(ctx, sv.ID, classes[i%2].ID, who)
			if err == nil {
				err = s.SaveAnswer(ctx, d.ID, 0, storage.Answer{Value: intp(1 + i%5)})
			}
			if err != nil {
				errs <- err
				errs <- err
				return
			}
			// Two submits of the same draft at once.
			for range 2 {
				go func() { errs <- s.SubmitDraft(ctx, d.ID, who) }()
			}
		}()
	}
	var ok, already int
	for range 2 * n {
		switch err := <-errs; {
		case err == nil:
			ok++
		case errors.Is(err, storage.ErrAlreadyAnswered):
			already++
		default:
			t.Errorf("answering: %v", err)
		}
	}
	if ok != n || already != n {
		t.Errorf("%d submits went through and %d were refused as already answered; want %d and %d", ok, already, n, n)
	}
	res, err := s.SurveyResults(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses != n || res.Questions[0].Answered != n {
		t.Errorf("counted %d responses, %d answers; want %d", res.Responses, res.Questions[0].Answered, n)
	}
}

func TestClaimSurveyDigests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := storagetest.NewStore(t)
	org, err := store.CreateOrganisation(ctx, 0, storage.Organisation{Name: "Школа дайджеста", Status: storage.OrgMember})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	q := []storage.Question{{Kind: storage.QuestionYesNo, Text: "Да?", Required: true}}
	mk := func(closes time.Time) int64 {
		sv, _, err := store.CreateSurvey(ctx, 0, storage.Survey{OrgID: org.ID, Title: "Опрос", Audience: storage.AudienceParents, Questions: q, ClosesAt: closes},
			[]storage.SurveyClass{{Name: "5А", Headcount: 20}})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.PublishSurvey(ctx, 0, sv.ID); err != nil {
			t.Fatal(err)
		}
		return sv.ID
	}
	soon := mk(now.Add(36 * time.Hour))
	mk(now.Add(5 * 24 * time.Hour)) // not yet

	got, err := store.ClaimSurveyDigests(ctx, now, 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != soon {
		t.Fatalf("claimed %+v, want only survey %d", got, soon)
	}
	again, err := store.ClaimSurveyDigests(ctx, now, 48*time.Hour)
	if err != nil || len(again) != 0 {
		t.Fatalf("claimed twice: %+v, %v", again, err)
	}
}

func TestHasAnswered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := storagetest.NewStore(t)
	q := []storage.Question{{Kind: storage.QuestionYesNo, Text: "Да?", Required: true}}
	sv, classes, err := store.CreateSurvey(ctx, 0, storage.Survey{Title: "Опрос", Audience: storage.AudienceParents, Questions: q},
		[]storage.SurveyClass{{Name: "5А", Headcount: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PublishSurvey(ctx, 0, sv.ID); err != nil {
		t.Fatal(err)
	}
	key := sha256.Sum256([]byte("parent"))
	if done, err := store.HasAnswered(ctx, sv.ID, key[:]); err != nil || done {
		t.Fatalf("before answering: %v, %v", done, err)
	}
	d, err := store.StartDraft(ctx, sv.ID, classes[0].ID, key[:])
	if err != nil {
		t.Fatal(err)
	}
	yes := 1
	if err := store.SaveAnswer(ctx, d.ID, 0, storage.Answer{Value: &yes}); err != nil {
		t.Fatal(err)
	}
	if done, err := store.HasAnswered(ctx, sv.ID, key[:]); err != nil || done {
		t.Fatalf("with a draft only: %v, %v", done, err)
	}
	if err := store.SubmitDraft(ctx, d.ID, key[:]); err != nil {
		t.Fatal(err)
	}
	if done, err := store.HasAnswered(ctx, sv.ID, key[:]); err != nil || !done {
		t.Fatalf("after submitting: %v, %v", done, err)
	}
}

func TestFindSurveyHead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	sv, _, err := s.CreateSurvey(ctx, 0, storage.Survey{Title: "Питание", Audience: storage.AudienceParents,
		TemplateKey: "parents", Questions: storagetest.SurveyQuestions()}, []storage.SurveyClass{{Name: "5А", Headcount: 25}})
	if err != nil {
		t.Fatal(err)
	}
	head, err := s.FindSurveyHead(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	full, _, err := s.FindSurveyByID(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	full.Questions = nil
	if diff := cmp.Diff(full, head); diff != "" {
		t.Errorf("head differs from the survey but for its questions (-full +head):\n%s", diff)
	}
	if _, err := s.FindSurveyHead(ctx, sv.ID+100); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FindSurveyHead(unknown) = %v, want ErrNotFound", err)
	}
}
