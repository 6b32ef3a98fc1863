#!/usr/bin/env python3
"""Drives the console in a real browser (headless Chromium through Selenium) against a served
demo world: scripts/console_browser_test.sh starts the server and passes what it made.

Checks, as a person would do them: a user's token is refused; an admin logs in, opens a running
experiment and stops it with a reason; the list and the API then say stopped; the why form
answers with the rule's file:line; a post whose text is a <script> shows as text (and runs
nothing); the page can be entered from the keyboard. With SCREENSHOTS_DIR set, saves the pages.

Environment: CONSOLE_URL, ADMIN_TOKEN, USER_TOKEN, SCRIPT_POST_ID, SCRIPT_POST_TEXT, [SCREENSHOTS_DIR].
"""
import json
import os
import sys
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

URL = os.environ["CONSOLE_URL"].rstrip("/")
ADMIN = os.environ["ADMIN_TOKEN"]
USER = os.environ["USER_TOKEN"]
POST_ID = os.environ["SCRIPT_POST_ID"]
POST_TEXT = os.environ["SCRIPT_POST_TEXT"]
SHOTS = os.environ.get("SCREENSHOTS_DIR")


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print(f"  ok: {message}")


def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US"):
        options.add_argument(argument)
    for binary in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(binary):
            options.binary_location = binary
            break
    driver_path = next((p for p in ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver") if os.path.exists(p)), None)
    return webdriver.Chrome(service=Service(driver_path) if driver_path else Service(), options=options)


def no_alert(driver):
    try:
        driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


def shot(driver, name, width=1280):
    if not SHOTS:
        return
    driver.set_window_size(width, 1000)
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 2400)")
    driver.set_window_size(width, max(600, height))
    driver.save_screenshot(os.path.join(SHOTS, name))
    driver.set_window_size(1280, 1000)
    print(f"  saved {name}")


def log_in(driver, token):
    driver.get(URL + "/console/login")
    field = driver.find_element(By.ID, "token")
    field.send_keys(token)
    field.send_keys(Keys.ENTER)


def path_of(url):
    return urllib.parse.urlparse(url).path


def api(path, token):
    request = urllib.request.Request(URL + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def main():
    driver = browser()
    # Pages are replaced on every navigation: an element read mid-load is simply read again.
    patient = (NoSuchElementException, StaleElementReferenceException)
    wait = WebDriverWait(driver, 10, ignored_exceptions=patient)
    try:
        print("a user's token is refused")
        log_in(driver, USER)
        check("admin_required" in driver.page_source, "the login page says the console needs an admin token")
        driver.get(URL + "/console")
        check(path_of(driver.current_url) == "/console/login", "without a session /console sends the browser to log in")

        print("the page can be entered from the keyboard")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        active = driver.switch_to.active_element
        check(active.get_attribute("class") == "skip", "the first Tab reaches the skip link")

        print("an admin logs in and stops a running experiment with a reason")
        log_in(driver, ADMIN)
        wait.until(expected_conditions.presence_of_element_located((By.ID, "experiments")))
        check(driver.current_url.rstrip("/").endswith("/console"), "logging in lands on the experiments list")
        rows = driver.find_elements(By.CSS_SELECTOR, "#experiments tbody tr")
        check(len(rows) >= 1, f"the list shows {len(rows)} experiments")
        running = [r for r in rows if r.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute("data-status") == "running"]
        check(running, "at least one experiment is running")
        experiment = running[0].get_attribute("id").removeprefix("experiment-")
        shot(driver, "console-experiments.png")
        if len(running) > 1:
            print("the list refreshes its figures by itself")
            other = running[1].get_attribute("id").removeprefix("experiment-")
            request = urllib.request.Request(URL + f"/v1/experiments/{other}/stop", method="POST", data=b'{"reason": "stopped elsewhere"}',
                                             headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=10).close()
            WebDriverWait(driver, 40, ignored_exceptions=patient).until(
                lambda d: d.find_element(By.CSS_SELECTOR, f"#experiment-{other} [data-status]").get_attribute("data-status") == "stopped")
            check(True, f"{other} shows stopped without a reload")
            rows = driver.find_elements(By.CSS_SELECTOR, "#experiments tbody tr")
            running = [r for r in rows if r.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute("data-status") == "running"]
        running[0].find_element(By.TAG_NAME, "a").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "stop-form")))
        check(driver.find_element(By.ID, "status").get_attribute("data-status") == "running", f"{experiment} is running")
        check(len(driver.find_elements(By.CSS_SELECTOR, ".report h2")) >= 3, "the page carries the live report")
        shot(driver, "console-experiment.png")
        reason = "comments fell in the first hours (browser test)"
        driver.find_element(By.ID, "stop-reason").send_keys(reason)
        form = driver.find_element(By.ID, "stop-form")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        check(driver.find_element(By.ID, "status").get_attribute("data-status") == "running",
              "without the confirmation box the browser does not send the form")
        form = driver.find_element(By.ID, "stop-form")
        form.find_element(By.CSS_SELECTOR, "input[name=confirm]").click()
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(lambda d: d.find_element(By.ID, "status").get_attribute("data-status") == "stopped")
        check(reason in driver.find_element(By.ID, "timeline").text, "the timeline shows the reason")
        check("admin:1" in driver.find_element(By.ID, "timeline").text, "the timeline shows who stopped it")
        driver.find_element(By.LINK_TEXT, "Experiments").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "experiments")))
        status = driver.find_element(By.CSS_SELECTOR, f"#experiment-{experiment} [data-status]").get_attribute("data-status")
        check(status == "stopped", "the list shows it stopped")
        from_api = api(f"/v1/experiments/{experiment}", ADMIN)
        check(from_api["status"] == "stopped" and from_api.get("change_reason") == reason, "the API shows it stopped, with the reason")

        print("the why form answers, and a script in a post is text")
        driver.find_element(By.LINK_TEXT, "Circles").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "why-form")))
        driver.find_element(By.ID, "why-user").send_keys("2")
        Select(driver.find_element(By.ID, "why-action")).select_by_visible_text("comment")
        Select(driver.find_element(By.ID, "why-circle")).select_by_visible_text("campus-diary")
        driver.find_element(By.ID, "why-post").send_keys(POST_ID)
        driver.find_element(By.ID, "why-form").find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "why-verdict")))
        verdict = driver.find_element(By.ID, "why-verdict").text
        check(verdict.startswith(("allowed: user 2 comment in campus-diary", "denied: user 2 comment in campus-diary")), f"verdict: {verdict}")
        check(".lua:" in driver.find_element(By.ID, "why-answer").text, "the answer names the rule's file:line")
        check(driver.find_element(By.ID, "why-post-text").text == POST_TEXT, "the post's script text shows as text")
        check(no_alert(driver), "and nothing ran")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#why-answer script")) == 0, "no script element was made from it")
        shot(driver, "console-why.png")

        print("health")
        driver.find_element(By.LINK_TEXT, "Health").click()
        driver.find_element(By.CSS_SELECTOR, "form[action='/console/health/verify'] button").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "ledger-summary")))
        check("consistent" in driver.find_element(By.ID, "ledger-summary").text, "ledger verify from the console: consistent")
        shot(driver, "console-health.png")
        driver.get(URL + "/console")
        shot(driver, "console-experiments-phone.png", width=390)

        print("logging out ends the session")
        driver.find_element(By.CSS_SELECTOR, "form[action='/console/logout'] button").click()
        wait.until(lambda d: path_of(d.current_url) == "/console/login")
        check("You are logged out" in driver.page_source, "the login page says so")
        driver.get(URL + "/console")
        wait.until(lambda d: path_of(d.current_url) == "/console/login")
        check(driver.find_elements(By.ID, "token"), "after logging out /console asks to log in again")
    finally:
        driver.quit()
    print("console browser test passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print(f"console browser test FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
