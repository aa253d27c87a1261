from tests.browser.test_accessibility import AXE, open_town_hall_with_errors, submission_status
def test_probe(page, live_server):
    open_town_hall_with_errors(page, live_server)
    r = AXE.run(page, options={"resultTypes": ["violations"]})
    print("VIOL", r.violations_count, "PASSES", len(r.response["passes"]), "INCOMPLETE", [i["id"] for i in r.response["incomplete"]], r.response["testEngine"])
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x>')")
    r = AXE.run(page)
    print("AFTER", r.violations_count, [v["id"] for v in r.response["violations"]])
